// Compose durations ("1m30s", "500ms", "2h") in milliseconds. Pure, so workflows may use it too.
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(us|ms|s|m|h)/y;

export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '0') return trimmed === '0' ? 0 : undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const start = PART.lastIndex;
    const match = PART.exec(trimmed);
    if (!match || match.index !== start) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return total;
}

const UNITS_LARGEST_FIRST: [string, number][] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/**
 * The one way a duration is written when it leaves Graphium (to Temporal, in messages): a whole
 * number of the largest exact unit (`90s`, `2m`, `1500ms`). Temporal reads durations with another
 * parser (the `ms` package), which refuses Compose's compound forms such as `1m30s`; this form means
 * the same to both, so a value checked with parseDuration is the value Temporal applies.
 */
export function formatDuration(ms: number): string {
  const whole = Math.round(ms);
  for (const [unit, size] of UNITS_LARGEST_FIRST) {
    if (whole >= size && whole % size === 0) return `${whole / size}${unit}`;
  }
  return `${whole}ms`;
}
