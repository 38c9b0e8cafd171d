import { setTimeout as sleep } from 'node:timers/promises';
import { createParser } from 'eventsource-parser';
import { isTerminalStatus } from '../contracts/vocabulary.js';
import type { Deployment } from './api-client.js';
import { ApiRequestError } from './api-client.js';
import { formatDuration } from './format.js';

// Follows one deployment to its end over `GET /deployments/:id/events` (Server-Sent Events: a
// `progress` event with the deployment JSON at once and on every change, then `end`). A dropped
// or silent stream is resumed: the server sends the current state first on every connection, so
// nothing is lost. Between connections it asks `GET /deployments/:id`, which may show the end.

export interface FollowSource {
  openDeploymentEvents(id: string, signal: AbortSignal): Promise<Response>;
  getDeployment(id: string, signal?: AbortSignal): Promise<Deployment>;
}

export interface FollowOptions {
  source: FollowSource;
  deploymentId: string;
  /** Every snapshot, repeats included (the renderer prints only what changed). */
  onUpdate(deployment: Deployment): void;
  /** Told when the stream dropped and is about to be resumed. */
  onNotice?(message: string): void;
  signal?: AbortSignal;
  /** First wait before reconnecting; doubles on each failure in a row, up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** A stream silent this long is taken for a dead connection (a half-open TCP socket) and reopened. */
  idleTimeoutMs?: number;
  /**
   * Give up (exit 3) when the API has answered nothing at all for this long: no byte of a stream
   * (keep-alive comments included) and no successful `GET /deployments/:id`.
   */
  giveUpAfterMs?: number;
}

type StreamOutcome =
  | { kind: 'ended'; deployment: Deployment }
  | { kind: 'dropped'; reason: string; sawEvents: boolean };

class IdleTimeout extends Error {}

export async function followDeployment(options: FollowOptions): Promise<Deployment> {
  const { source, deploymentId: id, signal } = options;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
  const giveUpAfterMs = options.giveUpAfterMs ?? 5 * 60_000;
  let delay = retryDelayMs;
  // Any answer at all counts as contact: the API sends `progress` only on a change, so a quiet
  // operation shows as nothing but keep-alive comments for as long as it stays quiet.
  let lastContact = Date.now();
  const contact = () => {
    lastContact = Date.now();
  };

  for (;;) {
    const outcome = await readStream(
      source,
      id,
      options.onUpdate,
      contact,
      options.idleTimeoutMs ?? 60_000,
      signal,
    );
    if (outcome.kind === 'ended') return outcome.deployment;
    let reason = outcome.reason;
    if (outcome.sawEvents) delay = retryDelayMs;
    // Between connections, ask for the deployment itself: it may have ended while we were away,
    // and a 404 or 401 here means following can never succeed.
    try {
      const deployment = await source.getDeployment(id, signal);
      contact();
      options.onUpdate(deployment);
      if (isTerminalStatus(deployment.status)) return deployment;
    } catch (error) {
      if (signal?.aborted || !isTransient(error)) throw error;
      reason = `${reason}; ${(error as Error).message}`;
    }
    if (Date.now() - lastContact > giveUpAfterMs) {
      throw new ApiRequestError(
        0,
        'unreachable',
        `lost contact with the API for ${formatDuration(giveUpAfterMs)} (${reason}); ` +
          `the operation goes on: see graphium status ${id}`,
      );
    }
    options.onNotice?.(`event stream interrupted (${reason}); reconnecting in ${delay} ms`);
    await sleep(delay, undefined, { signal });
    delay = Math.min(delay * 2, maxRetryDelayMs);
  }
}

/** 5xx, 408, 429 and an unreachable API may pass; other 4xx answers will not change by retrying. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiRequestError)) return false;
  return error.status === 0 || error.status >= 500 || error.status === 408 || error.status === 429;
}

async function readStream(
  source: FollowSource,
  id: string,
  onDeployment: (deployment: Deployment) => void,
  /** Called on every answer from the API: the stream's headers and each chunk of it. */
  onContact: () => void,
  idleTimeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<StreamOutcome> {
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', forwardAbort, { once: true });
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdleTimer = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => controller.abort(new IdleTimeout()), idleTimeoutMs);
  };
  let sawEvents = false;
  let final: Deployment | undefined;
  let malformed: string | undefined;
  let serverError: string | undefined;
  const parser = createParser({
    onEvent(event) {
      // The API sends `error` when it fails mid-stream, then closes: reconnecting is the remedy.
      if (event.event === 'error') serverError = errorMessage(event.data);
      if (event.event !== 'progress' && event.event !== 'end') return;
      try {
        const deployment = JSON.parse(event.data) as Deployment;
        sawEvents = true;
        onDeployment(deployment);
        if (event.event === 'end') final = deployment;
      } catch {
        malformed = `a ${event.event} event whose data is not JSON`;
      }
    },
  });
  try {
    armIdleTimer();
    let response: Response;
    try {
      response = await source.openDeploymentEvents(id, controller.signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      if (isTransient(error) || controller.signal.reason instanceof IdleTimeout) {
        return { kind: 'dropped', reason: describe(error, controller.signal, idleTimeoutMs), sawEvents };
      }
      throw error;
    }
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') || !response.body) {
      await response.body?.cancel();
      throw new ApiRequestError(
        response.status,
        'not_an_event_stream',
        `GET /deployments/${id}/events answered ${type || 'no content type'}, not text/event-stream`,
      );
    }
    onContact();
    try {
      for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
        onContact();
        armIdleTimer();
        parser.feed(chunk);
        if (final) return { kind: 'ended', deployment: final };
        if (malformed) break;
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      return { kind: 'dropped', reason: describe(error, controller.signal, idleTimeoutMs), sawEvents };
    }
    if (malformed) {
      controller.abort();
      return { kind: 'dropped', reason: malformed, sawEvents };
    }
    const reason = serverError
      ? `the API reported: ${serverError}`
      : 'the stream closed before its end event';
    return { kind: 'dropped', reason, sawEvents };
  } finally {
    clearTimeout(idleTimer);
    signal?.removeEventListener('abort', forwardAbort);
  }
}

function errorMessage(data: string): string {
  try {
    const message = (JSON.parse(data) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: show it as it came
  }
  return data;
}

function describe(error: unknown, signal: AbortSignal, idleTimeoutMs: number): string {
  if (signal.reason instanceof IdleTimeout) return `no data for ${formatDuration(idleTimeoutMs)}`;
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  const message = error instanceof Error ? error.message : String(error);
  return cause ? `${message} (${cause})` : message;
}
