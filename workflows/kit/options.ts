import { z } from 'zod';
import { parseDuration } from '../../stack/duration.js';
import { DEFAULT_MAX_PARALLEL_PER_HOST, MAX_PARALLEL_PER_HOST } from '../operation-types.js';

// Option schemas that several types share, so the API, the CLI (`-o key=value`) and the dashboard's
// forms read them the same way everywhere.

/** Compose's duration syntax, as stack/duration.ts reads it. */
const DURATION = /^(0|(\d+(\.\d+)?(us|ms|s|m|h))+)$/;

/**
 * A duration as text, as Compose writes them: `90s`, `15m`, `1h30m` (`graphium run … -o watch=90s`);
 * a text field with a pattern in the dashboard's form.
 */
export function durationOption(description: string) {
  return z
    .string()
    .regex(DURATION, 'a duration such as 90s, 15m or 1h30m')
    .refine((text) => parseDuration(text) !== undefined, 'a duration such as 90s, 15m or 1h30m')
    .optional()
    .describe(description);
}

/** A duration option's value in milliseconds, or `fallback` when it was not given. */
export function durationMs(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return parseDuration(value) ?? fallback;
}

/** What every type that places a version accepts, as `deploy` does. */
export const placementOptions = {
  maxParallelPerHost: z
    .number()
    .int()
    .min(1)
    .max(MAX_PARALLEL_PER_HOST)
    .optional()
    .describe(`Containers each host works on at once (default ${DEFAULT_MAX_PARALLEL_PER_HOST})`),
  pull: z
    .boolean()
    .optional()
    .describe('Pull every image again, even a tag the host already has (such as :latest)'),
};
