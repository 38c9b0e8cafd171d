import { EventSourceParserStream } from 'eventsource-parser/stream';
import { ApiError, authorization, type Deployment, request, toError } from './api.js';

// Follows one deployment over `GET /deployments/:id/events` (documented in docs/http-api.md): a
// `progress` event with the whole deployment JSON at once and on every change, then `end`. The
// browser's EventSource cannot send a bearer header, so this reads the stream with fetch. A dropped
// stream is reopened (the first event of every stream is the full state, so nothing is lost); a
// token at its stream limit (429) falls back to reading the deployment every few seconds.

export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'ended';

export interface FollowHandlers {
  onUpdate(deployment: Deployment): void;
  onState(state: FeedState, detail?: string): void;
}

const POLL_MS = 3_000;
const MAX_RETRY_MS = 10_000;
/** The server sends a keep-alive comment every 15 s; a stream silent for longer is dead. */
const IDLE_MS = 40_000;

export function followDeployment(id: string, handlers: FollowHandlers): () => void {
  const stopped = new AbortController();
  void run(id, handlers, stopped.signal);
  return () => stopped.abort();
}

async function run(id: string, handlers: FollowHandlers, signal: AbortSignal): Promise<void> {
  let retryMs = 1_000;
  handlers.onState('connecting');
  while (!signal.aborted) {
    let outcome: 'ended' | 'dropped' | 'limited';
    try {
      outcome = await readStream(id, handlers, signal);
    } catch (error) {
      if (signal.aborted) return;
      if (
        error instanceof ApiError &&
        (error.status === 401 || error.status === 403 || error.status === 404)
      ) {
        handlers.onState('ended', error.message);
        return;
      }
      outcome = 'dropped';
    }
    if (outcome === 'ended') {
      handlers.onState('ended');
      return;
    }
    if (outcome === 'limited') {
      await poll(id, handlers, signal);
      return;
    }
    handlers.onState('reconnecting');
    await wait(retryMs, signal);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  }
}

async function readStream(id: string, handlers: FollowHandlers, signal: AbortSignal) {
  const idle = new AbortController();
  const both = AbortSignal.any([signal, idle.signal]);
  const response = await fetch(`/api/v1/deployments/${encodeURIComponent(id)}/events`, {
    headers: { ...authorization(), accept: 'text/event-stream' },
    signal: both,
  });
  if (response.status === 429) {
    handlers.onState('polling', (await toError(response)).message);
    return 'limited' as const;
  }
  if (!response.ok || !response.body) throw await toError(response);
  let timer = setTimeout(() => idle.abort(), IDLE_MS);
  const events = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream({ onComment: () => resetIdle() }));
  function resetIdle() {
    clearTimeout(timer);
    timer = setTimeout(() => idle.abort(), IDLE_MS);
  }
  try {
    for await (const event of iterate(events)) {
      resetIdle();
      if (event.event === 'progress' || event.event === 'end') {
        handlers.onUpdate(JSON.parse(event.data) as Deployment);
        handlers.onState('live');
      }
      if (event.event === 'end') return 'ended' as const;
      if (event.event === 'error') return 'dropped' as const;
    }
    return 'dropped' as const;
  } finally {
    clearTimeout(timer);
  }
}

async function poll(id: string, handlers: FollowHandlers, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      const deployment = await request<Deployment>('GET', `/deployments/${encodeURIComponent(id)}`);
      handlers.onUpdate(deployment);
      if (!['pending', 'running'].includes(deployment.status)) {
        handlers.onState('ended');
        return;
      }
    } catch (error) {
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        handlers.onState('ended', error.message);
        return;
      }
    }
    await wait(POLL_MS, signal);
  }
}

async function* iterate<T>(stream: ReadableStream<T>): AsyncGenerator<T> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
