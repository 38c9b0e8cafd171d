// Small text helpers shared by the list commands and the progress display.

/** Left-aligned columns separated by two spaces; the last column is never padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `12s`, `3m 04s`, `1h 02m`: short enough for a status line. */
export function formatDuration(ms: number): string {
  if (ms > 0 && ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** `2025-01-31T12:00:00Z (5s ago)`; `-` for null. */
export function formatWhen(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const stamp = new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `${stamp} (${now - at < 1000 ? 'just now' : `${formatDuration(now - at)} ago`})`;
}

/** A fixed-width bar; a bar is one line of text, not worth a dependency of its own. */
export function progressBar(percent: number, width = 24): string {
  const clamped = Math.min(100, Math.max(0, Math.round(percent)));
  const filled = Math.round((clamped / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(clamped).padStart(3)}%`;
}

export function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '-' : entries.map(([key, value]) => `${key}=${value}`).join(',');
}

/** Cuts a line to the terminal width, so a long error never wraps and breaks the redrawn block. */
export function truncate(text: string, width: number): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  return oneLine.length <= width ? oneLine : `${oneLine.slice(0, Math.max(0, width - 1))}…`;
}
