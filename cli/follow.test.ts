import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { DeploymentStatus } from '../contracts/vocabulary.js';
import type { Deployment } from './api-client.js';
import { ApiClient, ApiRequestError } from './api-client.js';
import { followDeployment } from './follow.js';
import { runCli } from './main.js';

// The follow logic against a real HTTP server speaking Server-Sent Events. The server is a named
// stand-in for the Graphium API (GET /deployments/:id and /deployments/:id/events only), so each
// test can script what a connection does: stream, drop, fall silent, or answer with an error. The
// real API is followed end to end in test/e2e/cli.test.ts.

const TOKEN = 'gph_test-token';

const snapshot = (status: DeploymentStatus, progress = 0): Deployment => ({
  id: 'd-1',
  stackId: 's-1',
  stack: 'shop',
  operation: 'deploy',
  version: 1,
  status,
  progress,
  error: null,
  phase: 'running',
  awaiting: null,
  containers: [],
  requestedBy: 'ci',
  workflowId: 'deploy-shop-1',
  runId: 'r-1',
  createdAt: '2025-01-31T12:00:00.000Z',
  startedAt: '2025-01-31T12:00:00.000Z',
  finishedAt: null,
});

type EventsHandler = (res: ServerResponse, connection: number) => void;
type GetHandler = (res: ServerResponse, call: number) => void;

const sse = (res: ServerResponse) =>
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
const send = (res: ServerResponse, event: string, data: Deployment) =>
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const apiError = (res: ServerResponse, status: number, code: string, message: string) =>
  json(res, status, { error: { code, message } });

/** Starts the stand-in; `seen` records each request's path and Authorization header. */
async function standInApi(events: EventsHandler, get: GetHandler) {
  const seen: { path: string; auth: string | undefined }[] = [];
  let connections = 0;
  let gets = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ path: req.url ?? '', auth: req.headers.authorization });
    if (req.url === '/api/v1/deployments/d-1/events') events(res, ++connections);
    else if (req.url === '/api/v1/deployments/d-1') get(res, ++gets);
    else apiError(res, 404, 'not_found', `no route ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    client: new ApiClient({ apiUrl: `http://127.0.0.1:${port}`, token: TOKEN }),
    seen,
    counts: () => ({ connections, gets }),
  };
}

async function follow(client: ApiClient, { idleTimeoutMs = 10_000, giveUpAfterMs = 60_000 } = {}) {
  const updates: string[] = [];
  const notices: string[] = [];
  const final = await followDeployment({
    source: client,
    deploymentId: 'd-1',
    retryDelayMs: 20,
    idleTimeoutMs,
    giveUpAfterMs,
    onUpdate: (d) => updates.push(`${d.status} ${d.progress}`),
    onNotice: (message) => notices.push(message),
  });
  return { final, updates, notices };
}

describe('following a deployment over Server-Sent Events', () => {
  it('reads progress events until the end event, sending the bearer token', async () => {
    const api = await standInApi(
      (res) => {
        sse(res);
        send(res, 'progress', snapshot('pending'));
        res.write(': keep-alive comment\n\n');
        send(res, 'progress', snapshot('running', 50));
        send(res, 'end', snapshot('succeeded', 100));
        res.end();
      },
      (res) => json(res, 200, snapshot('running')),
    );
    const { final, updates, notices } = await follow(api.client);
    assert.equal(final.status, 'succeeded');
    assert.deepEqual(updates, ['pending 0', 'running 50', 'succeeded 100']);
    assert.deepEqual(notices, []);
    assert.deepEqual(api.counts(), { connections: 1, gets: 0 });
    assert.deepEqual(
      api.seen.map((r) => r.auth),
      [`Bearer ${TOKEN}`],
    );
  });

  it('resumes a dropped connection and follows the new one to the end', async () => {
    const api = await standInApi(
      (res, connection) => {
        sse(res);
        if (connection === 1) {
          send(res, 'progress', snapshot('running', 10));
          // Half an event, then the socket dies: as when a proxy or the API restarts.
          res.write('event: progress\ndata: {"id":');
          setTimeout(() => res.socket?.destroy(), 50);
          return;
        }
        send(res, 'progress', snapshot('running', 60));
        send(res, 'end', snapshot('succeeded', 100));
        res.end();
      },
      (res) => json(res, 200, snapshot('running', 40)),
    );
    const { final, updates, notices } = await follow(api.client);
    assert.equal(final.status, 'succeeded');
    assert.deepEqual(updates, ['running 10', 'running 40', 'running 60', 'succeeded 100']);
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /event stream interrupted .*; reconnecting/);
    assert.deepEqual(api.counts(), { connections: 2, gets: 1 });
  });

  it('resumes a stream that closes cleanly without its end event', async () => {
    const api = await standInApi(
      (res, connection) => {
        sse(res);
        send(res, 'progress', snapshot('running', connection * 30));
        if (connection === 2) send(res, 'end', snapshot('failed', 60));
        res.end();
      },
      (res) => json(res, 200, snapshot('running', 30)),
    );
    const { final, notices } = await follow(api.client);
    assert.equal(final.status, 'failed');
    assert.match(notices[0]!, /the stream closed before its end event/);
  });

  it('reconnects after the API reports an error event mid-stream', async () => {
    const api = await standInApi(
      (res, connection) => {
        sse(res);
        send(res, 'progress', snapshot('running', 10));
        if (connection === 1) {
          res.end(
            `event: error\ndata: ${JSON.stringify({ error: { code: 'internal', message: 'internal error' } })}\n\n`,
          );
          return;
        }
        send(res, 'end', snapshot('succeeded', 100));
        res.end();
      },
      (res) => json(res, 200, snapshot('running', 10)),
    );
    const { final, notices } = await follow(api.client);
    assert.equal(final.status, 'succeeded');
    assert.match(notices[0]!, /the API reported: internal error/);
  });

  it('reopens a stream that goes silent (a dead connection that never closes)', async () => {
    const api = await standInApi(
      (res, connection) => {
        sse(res);
        send(res, 'progress', snapshot('running', 20));
        if (connection === 1) return; // and then nothing, ever
        send(res, 'end', snapshot('succeeded', 100));
        res.end();
      },
      (res) => json(res, 200, snapshot('running', 20)),
    );
    const { final, notices } = await follow(api.client, { idleTimeoutMs: 300 });
    assert.equal(final.status, 'succeeded');
    assert.match(notices[0]!, /no data for 300 ms/);
    assert.equal(api.counts().connections, 2);
  });

  it('does not reconnect when the deployment ended while the stream was down', async () => {
    const api = await standInApi(
      (res) => {
        sse(res);
        send(res, 'progress', snapshot('running', 50));
        setTimeout(() => res.socket?.destroy(), 50);
      },
      (res) => json(res, 200, snapshot('rolled_back', 50)),
    );
    const { final, notices } = await follow(api.client);
    assert.equal(final.status, 'rolled_back');
    assert.deepEqual(notices, []);
    assert.deepEqual(api.counts(), { connections: 1, gets: 1 });
  });

  it('counts keep-alive comments as contact: a quiet operation is not given up on', async () => {
    // The API sends `progress` only on a change: a long quiet step shows as keep-alives alone.
    // Here the quiet lasts twice the give-up time, then the stream drops and one GET fails.
    const api = await standInApi(
      (res, connection) => {
        sse(res);
        if (connection === 1) {
          send(res, 'progress', snapshot('running', 10));
          const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 25);
          setTimeout(() => {
            clearInterval(keepAlive);
            res.socket?.destroy();
          }, 400);
          return;
        }
        send(res, 'end', snapshot('succeeded', 100));
        res.end();
      },
      (res) => apiError(res, 503, 'unavailable', 'restarting'),
    );
    const { final, notices } = await follow(api.client, { giveUpAfterMs: 200 });
    assert.equal(final.status, 'succeeded');
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /event stream interrupted .*restarting\); reconnecting/);
    assert.deepEqual(api.counts(), { connections: 2, gets: 1 });
  });

  it('gives up (status 0, unreachable) when the API has not answered at all for the give-up time', async () => {
    const api = await standInApi(
      (res) => apiError(res, 503, 'unavailable', 'restarting'),
      (res) => apiError(res, 503, 'unavailable', 'restarting'),
    );
    await assert.rejects(follow(api.client, { giveUpAfterMs: 150 }), (error: ApiRequestError) => {
      assert.ok(error instanceof ApiRequestError);
      assert.equal(error.status, 0);
      assert.match(error.message, /^lost contact with the API for .*restarting.*see graphium status d-1$/);
      return true;
    });
    assert.ok(api.counts().connections > 1, 'it retried before giving up');
  });

  it('gives up at once on an answer that retrying cannot change (401, unknown deployment)', async () => {
    const unauthorized = await standInApi(
      (res) => apiError(res, 401, 'unauthorized', 'unknown or revoked token'),
      (res) => apiError(res, 401, 'unauthorized', 'unknown or revoked token'),
    );
    await assert.rejects(follow(unauthorized.client), (error: ApiRequestError) => {
      assert.ok(error instanceof ApiRequestError);
      assert.equal(error.status, 401);
      assert.equal(error.message, 'unknown or revoked token');
      return true;
    });
    const missing = await standInApi(
      (res) => apiError(res, 404, 'not_found', 'deployment d-1 not found'),
      (res) => apiError(res, 404, 'not_found', 'deployment d-1 not found'),
    );
    await assert.rejects(follow(missing.client), /deployment d-1 not found/);
  });
});

describe('graphium status --follow --json', () => {
  it('keeps stdout for the final JSON alone; the progress goes to stderr', async () => {
    const api = await standInApi(
      (res) => {
        sse(res);
        send(res, 'progress', snapshot('running', 50));
        send(res, 'end', snapshot('failed', 50));
        res.end();
      },
      (res) => json(res, 200, snapshot('running', 50)),
    );
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ['status', 'd-1', '--follow', '--json', '--api-url', api.apiUrl, '--token', TOKEN],
      {
        out: { write: (text: string) => out.push(text) },
        err: { write: (text: string) => err.push(text) },
        stdin: process.stdin,
      },
    );
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(out.join('')), snapshot('failed', 50));
    assert.match(err.join(''), /\[ 50%\] deploy shop: running\n[\s\S]*deploy shop failed/);
  });
});
