import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type OpenTestDatabase, openTestDatabase } from '../test/harness/databases.js';
import { startAgent, startOrchestrator, stopAll, waitUntilPolling } from '../test/harness/graphium.js';
import { startInfra } from '../test/harness/infra.js';
import type { ManagedProcess } from '../test/harness/processes.js';
import { readSse } from '../test/harness/sse.js';
import { BENCH_ADMIN_TOKEN, startBenchApi, startRunningDeployments } from './api-harness.js';

// `npm run bench:streams -- [--deployments 10] [--streams 200] [--window 15]`
// Starts Temporal, two dockerd hosts with their agents, the orchestrator and the API (in this
// process, so every gRPC call its Temporal client makes can be counted), puts N deployments in the
// running state (each waits for a healthcheck that stays `starting`), then opens event streams on
// them: none, one per deployment, then `--streams` spread evenly, and counts the API's Temporal calls
// over a window at each level. Not a test: it asserts nothing, it prints what it measured.

const { values } = parseArgs({
  options: {
    deployments: { type: 'string', default: '10' },
    streams: { type: 'string', default: '200' },
    window: { type: 'string', default: '15' },
  },
});
const deploymentCount = Number(values.deployments);
const streamCount = Number(values.streams);
const windowMs = Number(values.window) * 1000;
const STREAMS_PER_TOKEN = 20;

interface OpenStream {
  events: number;
  firstEventMs: number | undefined;
  controller: AbortController;
  done: Promise<void>;
}

async function main(): Promise<number> {
  const workDir = join('/tmp', `graphium-bench-streams-${process.pid}`);
  const processes: ManagedProcess[] = [];
  const streams: OpenStream[] = [];
  let infraStart: ReturnType<typeof startInfra> | undefined;
  let databaseOpen: Promise<OpenTestDatabase> | undefined;
  let closeApi: (() => Promise<void>) | undefined;
  let tornDown: Promise<void> | undefined;
  const settled = <T>(promise: Promise<T> | undefined) => promise?.catch(() => undefined);
  const teardown = () =>
    (tornDown ??= (async () => {
      for (const stream of streams) stream.controller.abort();
      // Let the server see the clients go, so its watchers stop before the database closes.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await closeApi?.();
      await stopAll(processes);
      await (await settled(databaseOpen))?.close();
      await (await settled(infraStart))?.stop();
      rmSync(workDir, { recursive: true, force: true });
    })());
  const onSignal = () => void teardown().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    console.log(
      `graphium bench: ${streamCount} event streams on ${deploymentCount} running deployments, ${windowMs / 1000} s per level`,
    );
    infraStart = startInfra(workDir, process.env, 2);
    const { infra } = await infraStart;
    databaseOpen = openTestDatabase('postgres', infra.pgAdminUrl);
    const database = await databaseOpen;

    const api = await startBenchApi(infra, database.db, { maxStreamsPerToken: STREAMS_PER_TOKEN });
    closeApi = api.close;
    const { base, counter, call } = api;
    const adminToken = BENCH_ADMIN_TOKEN;

    processes.push(
      startOrchestrator(infra, database.url!),
      ...infra.dockerHosts.map((host, i) => startAgent(infra, `vm${i + 1}`, host.dockerHost)),
    );
    await waitUntilPolling(processes);
    const deploymentIds = await startRunningDeployments(api, infra.dockerHosts.length, deploymentCount);
    const tokenCount = Math.ceil(streamCount / STREAMS_PER_TOKEN);
    const tokens: string[] = [];
    for (let i = 0; i < tokenCount; i += 1) {
      tokens.push(
        (
          (await call('POST', '/tokens', adminToken, { name: `bench-viewer-${i}`, role: 'viewer' })) as {
            token: string;
          }
        ).token,
      );
    }

    const openStream = async (deploymentId: string, token: string): Promise<OpenStream> => {
      const controller = new AbortController();
      const opened = Date.now();
      const response = await fetch(`${base}/deployments/${deploymentId}/events`, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (response.status !== 200) throw new Error(`stream: ${response.status} ${await response.text()}`);
      const stream: OpenStream = { events: 0, firstEventMs: undefined, controller, done: Promise.resolve() };
      stream.done = (async () => {
        try {
          for await (const item of readSse(response.body!)) {
            if ('event' in item) {
              stream.events += 1;
              stream.firstEventMs ??= Date.now() - opened;
            }
          }
        } catch {
          // aborted at teardown
        }
      })();
      return stream;
    };

    const measure = async (label: string) => {
      const before = counter.snapshot();
      const eventsBefore = streams.reduce((sum, s) => sum + s.events, 0);
      const from = Date.now();
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      const seconds = (Date.now() - from) / 1000;
      const made = counter.since(before);
      const total = [...made.values()].reduce((a, b) => a + b, 0);
      const events = streams.reduce((sum, s) => sum + s.events, 0) - eventsBefore;
      const methods = [...made.entries()].map(([m, n]) => `${m} ${(n / seconds).toFixed(1)}/s`).join(', ');
      return { label, streams: streams.length, perSecond: total / seconds, methods, events };
    };

    const results = [await measure('no stream open')];
    // Stream n uses token n / STREAMS_PER_TOKEN: no token holds more than the bench's limit.
    const tokenOf = (n: number) => tokens[Math.floor(n / STREAMS_PER_TOKEN)]!;
    // One stream per deployment first.
    for (const [n, id] of deploymentIds.entries()) streams.push(await openStream(id, tokenOf(n)));
    await Promise.all(streams.map((s) => waitForFirstEvent(s)));
    results.push(await measure('one stream per deployment'));
    // The rest, spread evenly over the deployments, at most STREAMS_PER_TOKEN per token.
    const opening: Promise<OpenStream>[] = [];
    for (let n = streams.length; n < streamCount; n += 1) {
      opening.push(openStream(deploymentIds[n % deploymentIds.length]!, tokenOf(n)));
    }
    streams.push(...(await Promise.all(opening)));
    await Promise.all(streams.map((s) => waitForFirstEvent(s)));
    results.push(await measure(`${streamCount} streams`));

    // The per-token cap, seen from a client: one stream more on a token that holds STREAMS_PER_TOKEN.
    const refused = await fetch(`${base}/deployments/${deploymentIds[0]}/events`, {
      headers: { authorization: `Bearer ${tokens[1]}` },
    });
    // A server without the cap (an older API) would answer with a stream: do not wait for its end.
    const refusedBody = (refused.status === 200 ? await refused.body?.cancel() : await refused.json()) as
      | { error?: { code: string } }
      | undefined;
    const firstEvents = streams.map((s) => s.firstEventMs ?? 0).sort((a, b) => a - b);

    console.log('');
    console.log('level                         streams   Temporal calls/s   events received   by method');
    for (const r of results) {
      console.log(
        `${r.label.padEnd(30)}${String(r.streams).padStart(7)}   ${r.perSecond.toFixed(1).padStart(16)}   ${String(r.events).padStart(15)}   ${r.methods || '—'}`,
      );
    }
    const ratio = results[2]!.perSecond / Math.max(results[1]!.perSecond, 0.001);
    console.log('');
    console.log(`calls/s with ${streamCount} streams ÷ with ${deploymentCount}: ${ratio.toFixed(2)}`);
    console.log(
      `first event after opening a stream: p50 ${firstEvents[Math.floor(firstEvents.length / 2)]} ms, max ${firstEvents.at(-1)} ms`,
    );
    console.log(
      `stream ${STREAMS_PER_TOKEN + 1} of one token (limit set to ${STREAMS_PER_TOKEN}): ${refused.status} ${refusedBody?.error?.code ?? ''}`,
    );

    for (const stream of streams) stream.controller.abort();
    await Promise.all(streams.map((s) => s.done));
    for (const id of deploymentIds)
      await call('POST', `/deployments/${id}/cancel`, adminToken).catch(() => {});
    return 0;
  } finally {
    await teardown();
  }
}

async function waitForFirstEvent(stream: OpenStream): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (stream.events === 0) {
    if (Date.now() > deadline) throw new Error('a stream sent no event within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`graphium bench: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
