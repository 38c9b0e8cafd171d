import { styleText } from 'node:util';
import { createLogUpdate } from 'log-update';
import { isTerminalStatus } from '../contracts/vocabulary.js';
import type { ContainerProgress, Deployment } from './api-client.js';
import { formatDuration, formatTable, progressBar, truncate } from './format.js';

// How a followed operation is shown. On a terminal: one block redrawn in place (log-update), with
// a line per container and a progress bar. Elsewhere (CI logs, pipes): one plain line per change,
// never a control character. The text itself comes from pure functions, tested on snapshots.

const key = (c: ContainerProgress) => `${c.hostId}/${c.name}`;
const failedStates = new Set(['failed']);
const doneStates = new Set(['running', 'healthy', 'completed', 'unchanged', 'stopped', 'removed']);

export function containerLine(c: ContainerProgress): string {
  const attempt = c.attempts > 1 ? ` (attempt ${c.attempts})` : '';
  return `${c.hostId} ${c.name}: ${c.status}${attempt}${c.error ? `: ${c.error}` : ''}`;
}

/**
 * The plain lines that tell what changed from `previous` to `next`: the operation's status when it
 * changes, and each container whose status, attempt count or error changed. An identical snapshot
 * (sent again after a reconnect) prints nothing.
 */
export function describeChanges(previous: Deployment | undefined, next: Deployment, label: string): string[] {
  const prefix = `[${String(next.progress).padStart(3)}%]`;
  const before = new Map((previous?.containers ?? []).map((c) => [key(c), c]));
  const containers = next.containers
    .filter((c) => {
      const old = before.get(key(c));
      return !old || old.status !== c.status || old.attempts !== c.attempts || old.error !== c.error;
    })
    .map((c) => `${prefix} ${containerLine(c)}`);
  const awaiting = describeAwaiting(next);
  if (awaiting && awaiting !== (previous ? describeAwaiting(previous) : '')) {
    containers.push(`${prefix} ${label}: ${awaiting}`);
  }
  if (previous && previous.status === next.status) return containers;
  const status = `${prefix} ${label}: ${next.status}`;
  // The final status reads best after the container changes that led to it.
  return isTerminalStatus(next.status) ? [...containers, status] : [status, ...containers];
}

/** `awaits promote or abort until 14:05:00 (graphium promote <id>)`, or '' when it awaits nothing. */
export function describeAwaiting(d: Deployment): string {
  if (!d.awaiting || d.awaiting.actions.length === 0) return '';
  const until = d.awaiting.deadline ? ` until ${d.awaiting.deadline}` : '';
  const how = d.awaiting.actions.map((action) => `graphium ${action} ${d.id}`).join(', ');
  return `awaits ${d.awaiting.actions.join(' or ')}${until}: ${how}`;
}

/** Printed once at the end: the outcome, and on failure the error and every container that failed. */
export function summaryLines(d: Deployment, label: string): string[] {
  const took = d.startedAt && d.finishedAt ? Date.parse(d.finishedAt) - Date.parse(d.startedAt) : undefined;
  const count = `${d.containers.length} container${d.containers.length === 1 ? '' : 's'}`;
  if (d.status === 'succeeded') {
    return [`${label} succeeded${took === undefined ? '' : ` in ${formatDuration(took)}`} (${count})`];
  }
  const lines = [
    `${label} ${d.status}${took === undefined ? '' : ` after ${formatDuration(took)}`}${d.error ? `: ${d.error}` : ''}`,
  ];
  const failed = d.containers.filter((c) => failedStates.has(c.status) || c.error);
  if (failed.length > 0) lines.push('failed containers:', ...failed.map((c) => `  ${containerLine(c)}`));
  return lines;
}

/** `2 running, 1 pulling`, in order of first appearance. */
export function statusCounts(containers: ContainerProgress[]): string {
  const counts = new Map<string, number>();
  for (const c of containers) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ') || 'no containers';
}

export interface BlockOptions {
  width: number;
  now: number;
  color: boolean;
}

/** The block a terminal redraws in place: heading, bar, then one row per container. */
export function renderBlock(d: Deployment, label: string, options: BlockOptions): string {
  const paint = (format: Parameters<typeof styleText>[0], text: string) =>
    options.color ? styleText(format, text) : text;
  const end = d.finishedAt ? Date.parse(d.finishedAt) : options.now;
  const elapsed = d.startedAt ? `  ${formatDuration(end - Date.parse(d.startedAt))}` : '';
  const statusColor = d.status === 'succeeded' ? 'green' : isTerminalStatus(d.status) ? 'red' : 'cyan';
  const width = Math.max(20, options.width - 1);
  const plainHeading = `${label}  ${d.status}${elapsed}  deployment ${d.id}`;
  const heading =
    plainHeading.length <= width
      ? `${label}  ${paint(['bold', statusColor], d.status)}${elapsed}  deployment ${d.id}`
      : truncate(plainHeading, width);
  const table = formatTable(
    ['HOST', 'CONTAINER', 'STATUS', 'ATTEMPTS', 'ERROR'],
    d.containers.map((c) => [c.hostId, c.name, c.status, String(c.attempts), c.error ?? '']),
  ).split('\n');
  const rows = table.map((line, index) => {
    const cut = truncate(line, width);
    const c = d.containers[index - 1];
    if (!c) return paint('dim', cut);
    if (failedStates.has(c.status) || c.error) return paint('red', cut);
    return doneStates.has(c.status) ? paint('green', cut) : cut;
  });
  const awaiting = describeAwaiting(d);
  return [
    heading,
    truncate(`${progressBar(d.progress)}  ${statusCounts(d.containers)}  ${d.phase}`, width),
    ...(awaiting ? [paint(['bold', 'yellow'], truncate(awaiting, width))] : []),
    ...rows,
  ].join('\n');
}

export interface ProgressView {
  update(deployment: Deployment): void;
  /** A note about the connection (a dropped stream being resumed). */
  notice(message: string): void;
  finish(deployment: Deployment): void;
  /** Stops redrawing and leaves what is shown (Ctrl-C), so the terminal is usable again. */
  abandon(): void;
}

export interface ViewTarget {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * `out` is stdout. Off a terminal, stdout is data (a CI log, a pipe), so notices for the person
 * watching go to `err`; on a terminal they are persisted above the redrawn block, which shares the
 * screen with stderr and would be torn by a write beside it.
 */
export function createProgressView(
  out: ViewTarget,
  label: string,
  options: { color: boolean; err: ViewTarget },
): ProgressView {
  return out.isTTY ? terminalView(out, label, options.color) : plainView(out, options.err, label);
}

function plainView(out: ViewTarget, err: ViewTarget, label: string): ProgressView {
  let previous: Deployment | undefined;
  const update = (d: Deployment) => {
    for (const line of describeChanges(previous, d, label)) out.write(`${line}\n`);
    previous = d;
  };
  return {
    update,
    notice: (message) => err.write(`${message}\n`),
    finish(d) {
      update(d);
      for (const line of summaryLines(d, label)) out.write(`${line}\n`);
    },
    abandon() {},
  };
}

function terminalView(out: ViewTarget, label: string, color: boolean): ProgressView {
  const log = createLogUpdate(out as NodeJS.WriteStream, { showCursor: false });
  let current: Deployment | undefined;
  const draw = () => {
    if (current) log(renderBlock(current, label, { width: out.columns ?? 80, now: Date.now(), color }));
  };
  // Redraw every second too, so the elapsed time moves while nothing else does.
  const ticker = setInterval(draw, 1000);
  ticker.unref();
  const stop = () => {
    clearInterval(ticker);
    log.done();
  };
  return {
    update(d) {
      current = d;
      draw();
    },
    notice: (message) => log.persist(message),
    finish(d) {
      current = d;
      draw();
      stop();
      for (const line of summaryLines(d, label)) out.write(`${line}\n`);
    },
    abandon: stop,
  };
}
