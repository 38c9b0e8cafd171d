// Converters for the value forms Compose allows (byte sizes, CPU counts, durations, KEY=VALUE lists,
// strings-or-lists). Each returns a value or a message; the caller attaches the message to its key.
import { parseDuration } from '../stack/duration.js';
import type { Parsed } from './compose-syntax.js';
import { isMapping } from './yaml.js';

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/** `512m`, `1.5g`, `1024`, 2048 → bytes (binary units, as Docker reads them). */
export function parseBytes(value: unknown): Parsed<number> {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return { value: Math.round(value) };
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b?)\s*$/i.exec(value) : null;
  if (!match) return { error: `${JSON.stringify(value)} is not a size (such as 512m or 2g)` };
  return { value: Math.round(Number(match[1]) * BYTE_UNITS[match[2]!.toLowerCase()]!) };
}

/** `0.5`, "1.5" → NanoCpus. */
export function parseCpus(value: unknown): Parsed<number> {
  const cpus = typeof value === 'string' ? Number(value.trim()) : value;
  if (
    typeof cpus !== 'number' ||
    !Number.isFinite(cpus) ||
    cpus < 0 ||
    (typeof value === 'string' && value.trim() === '')
  ) {
    return { error: `${JSON.stringify(value)} is not a number of CPUs` };
  }
  return { value: Math.round(cpus * 1e9) };
}

export function parseDurationValue(value: unknown): Parsed<number> {
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  return ms === undefined
    ? { error: `${JSON.stringify(value)} is not a duration (such as 30s or 1m30s)` }
    : { value: ms };
}

/** The documented maxima of a Compose file's timings and counts (docs/compose.md#bounds). */
export const BOUNDS = { healthcheckMs: 3_600_000, healthcheckRetries: 1_000, stopGraceMs: 3_600_000 };

/**
 * A parse that also refuses values above `max`: a healthcheck every 10 years or a 10-day stop grace
 * period is a typo, and held by a workflow it would pin a deploy or a stop that long.
 */
export function atMost(parse: (v: unknown) => Parsed<number>, max: number, shown: string) {
  return (value: unknown): Parsed<number> => {
    const parsed = parse(value);
    return 'error' in parsed || parsed.value <= max
      ? parsed
      : { error: `${JSON.stringify(value)} is above the maximum, ${shown}` };
  };
}

/** A whole number, also written as a string (interpolated values are strings). */
export function parseInteger(value: unknown, min = 0): Parsed<number> {
  const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    return { error: `${JSON.stringify(value)} is not a whole number${min === 0 ? ' (0 or more)' : ''}` };
  }
  return { value: n };
}

export function parseBoolean(value: unknown): Parsed<boolean> {
  if (typeof value === 'boolean') return { value };
  if (value === 'true' || value === 'false') return { value: value === 'true' };
  return { error: `${JSON.stringify(value)} is not true or false` };
}

/** Unix mode bits: a number (YAML `0440` is octal, as in Compose) or an octal string ("0440"). */
export function parseMode(value: unknown): Parsed<number> {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0o7777) return { value };
  if (typeof value === 'string' && /^0?[0-7]{1,4}$/.test(value)) return { value: Number.parseInt(value, 8) };
  return { error: `${JSON.stringify(value)} is not a file mode (such as 0440)` };
}

export function scalarText(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/**
 * `KEY=VALUE` list or mapping → entries. A key without a value (`- KEY`, `KEY:` or `KEY: null`) maps to
 * undefined: the caller decides (environment takes it from the variables; labels make it "").
 */
export function keyValueEntries(value: unknown): [string, string | undefined][] {
  if (Array.isArray(value)) {
    return value.map((entry) => {
      const text = String(entry);
      const eq = text.indexOf('=');
      return eq < 0 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
    });
  }
  if (isMapping(value)) {
    return Object.entries(value).map(([key, item]) => [
      key,
      item === null || item === undefined ? undefined : String(item),
    ]);
  }
  return [];
}

export function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => String(item));
}
