import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Client } from '@temporalio/client';
import { ensureSearchAttributes } from '../../lib/temporal.js';
import {
  findTemporalCli,
  startTemporalDevServer,
  type TemporalDevServer,
} from '../../lib/temporal-dev-server.js';
import { type OpenTestDatabase, openTestDatabase } from './databases.js';
import { type PrivateDaemon, startPrivateDaemons } from './docker-hosts.js';
import { assertEndState, type EndStateTarget } from './end-state.js';
import {
  startAgent,
  startApi,
  startOrchestrator,
  temporalClient,
  waitUntilOnline,
  waitUntilPolling,
} from './graphium.js';
import { type TestInfra, useInfra } from './infra.js';
import { AgentNamespace } from './netns.js';
import { freePort } from './ports.js';
import { PrivatePostgres } from './private-postgres.js';
import { LOG_DIR, type ManagedProcess, onSignalTeardown } from './processes.js';
import { type OpsContext, registerHosts } from './stack-ops.js';

// The set-up of a fault test: a Temporal dev server of its own (so it may restart it, and so fault
// files can run side by side), Graphium's processes started as users start them, and — where the
// test breaks them — daemons, a PostgreSQL cluster and network namespaces of its own. Everything is
// torn down after the file, pass or fail.

export interface FaultEnvOptions {
  /** A short name: directories and log files carry it. */
  name: string;
  /** Labels of vm1, vm2, … (one entry per host). */
  hosts: Record<string, string>[];
  /** The pickup bound of the operations the test starts (and of the API's, and the orchestrator's). */
  pickupTimeout?: string;
  /** Keep Temporal's state in a file, so the server can be restarted on it. */
  persistTemporal?: boolean;
  /** Daemons of its own (to stop or freeze them), instead of the runner's shared ones. */
  privateDaemons?: boolean;
  /** A PostgreSQL cluster of its own (to stop it), instead of the machine's shared server. */
  privatePostgres?: boolean;
  /** Hosts whose agent runs in a network namespace of its own, joined by a veth pair. */
  partitionable?: string[];
  /** The orchestrator's GRAPHIUM_RECONCILE_INTERVAL; off unless given. */
  reconcileInterval?: string;
  /** Also run the API (host status, as the dashboard sees it). */
  api?: boolean;
}

export interface FaultEnv {
  infra: TestInfra;
  ctx: OpsContext;
  temporal: Client;
  hostIds: string[];
  /** Each host's daemon socket and DOCKER_HOST. */
  daemonOf(hostId: string): { socketPath: string; dockerHost: string };
  privateDaemons: Map<string, PrivateDaemon>;
  postgres: PrivatePostgres | undefined;
  namespaces: Map<string, AgentNamespace>;
  temporalServer: TemporalDevServer;
  orchestrator: ManagedProcess;
  agents: Map<string, ManagedProcess>;
  api: { baseUrl: string; token: string } | undefined;
  /** The test database's URL (the orchestrator's DATABASE_URL). */
  databaseUrl(): string;
  startOrchestrator(): Promise<ManagedProcess>;
  startAgent(
    hostId: string,
    extra?: { name?: string; env?: Record<string, string>; dockerHost?: string },
  ): ManagedProcess;
  restartTemporal(downMs?: number): Promise<void>;
  /** The target of the shared end-state check. */
  target(): EndStateTarget;
  assertEndState(stack: string): Promise<void>;
}

const ADMIN_TOKEN = 'fault-tests-admin-token-0123456789';

export function useFaultEnvironment(options: FaultEnvOptions): FaultEnv {
  const pickupTimeout = options.pickupTimeout ?? '60s';
  const hostIds = options.hosts.map((_, i) => `vm${i + 1}`);
  const processes: ManagedProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  let database: OpenTestDatabase | undefined;
  let apiProcess: ManagedProcess | undefined;
  let workDir = '';
  let temporalPort = 0;
  /** Where agents in a namespace reach Temporal: a relay on their veth pair to its loopback port. */
  const relayed = new Map<string, string>();

  const env: FaultEnv = {
    infra: undefined as unknown as TestInfra,
    ctx: undefined as unknown as OpsContext,
    temporal: undefined as unknown as Client,
    hostIds,
    privateDaemons: new Map(),
    postgres: undefined,
    namespaces: new Map(),
    temporalServer: undefined as unknown as TemporalDevServer,
    orchestrator: undefined as unknown as ManagedProcess,
    agents: new Map(),
    api: undefined,
    databaseUrl() {
      return database!.url!;
    },
    daemonOf(hostId) {
      const daemon = env.privateDaemons.get(hostId);
      if (daemon) return daemon.host;
      return env.infra.dockerHosts[hostIds.indexOf(hostId)]!;
    },
    async startOrchestrator() {
      const orchestrator = startOrchestrator(env.infra, database!.url!, `orchestrator-${options.name}`, {
        GRAPHIUM_AGENT_PICKUP_TIMEOUT: pickupTimeout,
        GRAPHIUM_RECONCILE_INTERVAL: options.reconcileInterval ?? '0',
      });
      processes.push(orchestrator);
      env.orchestrator = orchestrator;
      await waitUntilPolling([orchestrator]);
      return orchestrator;
    },
    startAgent(hostId, extra = {}) {
      const daemon = env.daemonOf(hostId);
      const ns = env.namespaces.get(hostId);
      const agent = startAgent(
        env.infra,
        hostId,
        extra.dockerHost ?? daemon.dockerHost,
        {
          // Its own data directory: another fault file may run an agent of the same id on this daemon.
          GRAPHIUM_AGENT_DATA_DIR: join(workDir, `agent-${hostId}-${processes.length}`),
          ...(relayed.has(hostId) ? { TEMPORAL_ADDRESS: relayed.get(hostId)! } : {}),
          ...extra.env,
        },
        {
          name: extra.name ?? `agent-${options.name}-${hostId}`,
          prefix: ns ? ['ip', 'netns', 'exec', ns.name] : [],
        },
      );
      processes.push(agent);
      if (!extra.name) env.agents.set(hostId, agent);
      return agent;
    },
    async restartTemporal(downMs = 3_000) {
      await env.temporalServer.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      env.temporalServer = await startServer();
    },
    target() {
      return {
        db: database!.db,
        temporal: env.temporal,
        hosts: hostIds.map((hostId) => ({ hostId, socketPath: env.daemonOf(hostId).socketPath })),
      };
    },
    assertEndState(stack) {
      return assertEndState(env.target(), stack);
    },
  };

  const startServer = () =>
    startTemporalDevServer({
      port: temporalPort,
      logFile: join(workDir, 'temporal.log'),
      executable: findTemporalCli(process.env)!,
      ...(options.persistTemporal ? { dbFile: join(workDir, 'temporal.db') } : {}),
    });

  before(async () => {
    unregister = onSignalTeardown(teardown);
    const shared = await useInfra();
    workDir = join('/tmp', `graphium-fault-${options.name}-${process.pid}`);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));

    for (const [index, hostId] of (options.partitionable ?? []).entries()) {
      const ns = AgentNamespace.create(index);
      cleanups.push(() => ns.destroy());
      env.namespaces.set(hostId, ns);
    }
    temporalPort = await freePort();
    env.temporalServer = await startServer();
    cleanups.push(() => env.temporalServer.stop());
    env.infra = { ...shared, temporalAddress: env.temporalServer.address };
    for (const [hostId, ns] of env.namespaces) relayed.set(hostId, await ns.relay(temporalPort));

    if (options.privateDaemons) {
      // Their own address pool: their bridges share the machine's namespace with the shared daemons'.
      const daemons = await startPrivateDaemons(hostIds.length, join(workDir, 'docker'), '10.215.0.0/16');
      cleanups.push(() =>
        Promise.all(
          daemons.map((d, i) => d.destroy(join(LOG_DIR, `dockerd-${options.name}-${hostIds[i]}.log`))),
        ).then(() => undefined),
      );
      for (const [i, hostId] of hostIds.entries()) env.privateDaemons.set(hostId, daemons[i]!);
    }
    if (options.privatePostgres) {
      env.postgres = await PrivatePostgres.create(join(workDir, 'postgres'));
      cleanups.push(() => env.postgres?.destroy());
    }
    database = await openTestDatabase('postgres', env.postgres?.adminUrl ?? shared.pgAdminUrl);
    cleanups.push(() => database?.close());

    env.temporal = await temporalClient(env.infra);
    cleanups.push(() => env.temporal.connection.close());
    await ensureSearchAttributes(env.temporal.connection, env.infra.namespace);
    env.ctx = {
      db: database.db,
      temporal: env.temporal,
      namespace: env.infra.namespace,
      pickupTimeout,
      // The current ones: a process the test stopped or killed (and replaced) exited as asked.
      processes: () => [env.orchestrator, ...env.agents.values(), ...(apiProcess ? [apiProcess] : [])],
    };
    await registerHosts(
      database.db,
      hostIds.map((id, i) => ({ id, labels: options.hosts[i] })),
    );
    await env.startOrchestrator();
    for (const hostId of hostIds) env.startAgent(hostId);
    if (options.api) {
      const api = await startApi(env.infra, database.url!, ADMIN_TOKEN, `api-${options.name}`, {
        GRAPHIUM_AGENT_PICKUP_TIMEOUT: pickupTimeout,
      });
      processes.push(api.process);
      apiProcess = api.process;
      env.api = { baseUrl: api.baseUrl, token: ADMIN_TOKEN };
    }
    await waitUntilPolling([...env.agents.values()]);
    await waitUntilOnline(env.temporal, env.ctx.namespace, hostIds, env.agents.values());
  });

  const teardown = async () => {
    // Processes first (they hold connections to everything else), then the rest in reverse order.
    await Promise.all(processes.map((p) => p.stop(10_000)));
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`fault env ${options.name} teardown:`, error);
      }
    }
  };
  // Also when the file is ended by a signal (its time bound) before `after` runs.
  let unregister: () => void = () => {};
  after(async () => {
    unregister();
    await teardown();
  });

  return env;
}
