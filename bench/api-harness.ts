import { type ServerType, serve } from '@hono/node-server';
import {
  Client,
  Connection,
  type ConnectionOptions,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
} from '@temporalio/client';
import { createApp } from '../api/app.js';
import type { Database } from '../db/client.js';
import { type Keyring, parseKeyring } from '../lib/encryption.js';
import { createLogger } from '../lib/log.js';
import { payloadDataConverter } from '../lib/payload-security.js';
import { ensureSearchAttributes } from '../lib/temporal.js';
import { TEST_IMAGE } from '../test/harness/docker-hosts.js';
import { TEST_ENCRYPTION_KEYS, testPayloadCodec } from '../test/harness/graphium.js';
import type { TestInfra } from '../test/harness/infra.js';
import { testApiSecurity } from '../test/harness/payload-keys.js';
import { freePort } from '../test/harness/ports.js';
import type { HandlerTimes } from './process-probe.js';

// What the API benchmarks share: the API served in the benchmark's own process (so every gRPC call
// its Temporal client makes can be counted), and deployments held in the running state.

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/** Every RPC the API's Temporal connection sends, by method, each attempt counted. */
export class CallCounter {
  readonly byMethod = new Map<string, number>();

  interceptor: Interceptor = (options, nextCall) => {
    const method = String(options.method_definition.path).split('/').pop() ?? '?';
    this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
    // Passes the call on untouched; only the count is ours.
    return nextCall(options) as ReturnType<Interceptor>;
  };

  snapshot(): Map<string, number> {
    return new Map(this.byMethod);
  }

  since(before: Map<string, number>): Map<string, number> {
    const delta = new Map<string, number>();
    for (const [method, count] of this.byMethod) {
      const made = count - (before.get(method) ?? 0);
      if (made > 0) delta.set(method, made);
    }
    return delta;
  }

  total(delta: Map<string, number>): number {
    return [...delta.values()].reduce((a, b) => a + b, 0);
  }
}

/** Stays `starting` for five minutes: the deploy waits on it, so the deployment stays running. */
export const SLOW_COMPOSE = `services:
  app:
    image: ${TEST_IMAGE}
    command: sleep 86400
    healthcheck: { test: ["CMD-SHELL", "test -f /tmp/never"], interval: 1s, timeout: 2s, retries: 1000, start_period: 300s }
`;

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789';

export interface BenchApi {
  base: string;
  counter: CallCounter;
  call(method: string, path: string, token?: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Serves the API on a free port, in this process, over `db`, with a counted Temporal connection. */
export async function startBenchApi(
  infra: TestInfra,
  db: Database,
  options: { maxStreamsPerToken?: number; handlerTimes?: HandlerTimes } = {},
): Promise<BenchApi> {
  const counter = new CallCounter();
  const connection = await Connection.connect({
    address: infra.temporalAddress,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), counter.interceptor],
  });
  // Signs what it starts as the API does, so the orchestrator runs it (docs/security.md).
  const temporal = new Client({
    connection,
    namespace: infra.namespace,
    dataConverter: payloadDataConverter(testApiSecurity()),
  });
  await ensureSearchAttributes(connection, infra.namespace);
  const app = createApp({
    db,
    temporal,
    temporalAddress: infra.temporalAddress,
    adminToken: BENCH_ADMIN_TOKEN,
    keyring: parseKeyring(TEST_ENCRYPTION_KEYS) as Keyring,
    payloadCodec: testPayloadCodec(),
    namespace: infra.namespace,
    pickupTimeout: '60s',
    maxStreamsPerToken: options.maxStreamsPerToken ?? 32,
    log: createLogger('api', 'warn'),
  });
  const port = await freePort();
  const times = options.handlerTimes;
  const timedFetch: typeof app.fetch = times
    ? async (...args) => {
        const started = performance.now();
        try {
          return await app.fetch(...args);
        } finally {
          times.record(performance.now() - started);
        }
      }
    : app.fetch;
  const server: ServerType = serve({ fetch: timedFetch, port });
  const base = `http://127.0.0.1:${port}/api/v1`;
  const call = async (method: string, path: string, token = BENCH_ADMIN_TOKEN, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
  return {
    base,
    counter,
    call,
    close: async () => {
      server.close();
      await app.stopWatchers();
      await connection.close();
    },
  };
}

/** Registers hosts vm1…vmN, deploys `count` stacks that stay running, and waits until each does. */
export async function startRunningDeployments(
  api: BenchApi,
  hostCount: number,
  count: number,
  prefix = 'bench',
): Promise<string[]> {
  for (let i = 1; i <= hostCount; i += 1) await api.call('POST', '/hosts', undefined, { id: `vm${i}` });
  const ids: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    await api.call('POST', '/stacks', undefined, { name: `${prefix}${i}`, compose: SLOW_COMPOSE });
    const started = (await api.call('POST', `/stacks/${prefix}${i}/deploy`)) as { deploymentId: string };
    ids.push(started.deploymentId);
  }
  // Running, and its one container created and waiting for health.
  for (const id of ids) {
    for (;;) {
      const deployment = (await api.call('GET', `/deployments/${id}`)) as {
        status: string;
        error: string | null;
        containers: { status: string }[];
      };
      if (deployment.status === 'running' && deployment.containers.every((c) => c.status === 'starting'))
        break;
      if (!['pending', 'running'].includes(deployment.status))
        throw new Error(`deployment ${id} ${deployment.status}: ${deployment.error}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  return ids;
}
