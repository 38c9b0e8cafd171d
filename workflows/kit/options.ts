import { z } from 'zod';
import { parseDuration } from '../../stack/duration.js';
import { DEFAULT_MAX_PARALLEL_PER_HOST, MAX_PARALLEL_PER_HOST } from '../operation-types.js';

// Option schemas that several types share, so the API, the CLI (`-o key=value`) and the dashboard's
// forms read them the same way everywhere.

/** A duration: milliseconds, or text such as `90s`, `15m`, `1h30m` (`graphium run … -o watch=90s`). */
export function durationOption(description: string) {
  return z
    .union([
      z.number().int().min(0),
      z.string().refine((text) => parseDuration(text) !== undefined, 'a duration such as 90s, 15m or 1h'),
    ])
    .optional()
    .describe(description);
}

/** A duration option's value in milliseconds, or `fallback` when it was not given. */
export function durationMs(value: number | string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return typeof value === 'number' ? value : (parseDuration(value) ?? fallback);
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
