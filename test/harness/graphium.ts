import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { describeHostAgents } from '../../api/services/host-agents.js';
import { GraphiumPayloadCodec, readerPolicy } from '../../lib/payload-codec.js';
import { payloadDataConverter } from '../../lib/payload-security.js';
import { connectClient } from '../../lib/temporal.js';
import { ORCHESTRATOR_MEMORY_ENV } from '../../orchestrator/memory-env.js';
import type { TestInfra } from './infra.js';
import { testApiSecurity, testPayloadEnv } from './payload-keys.js';
import { freePort, waitFor } from './ports.js';
import { type ManagedProcess, startProcess, whileRunning } from './processes.js';

// Starts Graphium's own processes against the test infrastructure, as `npm run …` would, and the
// orchestrator with the memory settings docker-compose.yml gives it.

/** The keyring every test process shares (the API seals, the orchestrator opens): a test-only key. */
export const TEST_ENCRYPTION_KEYS = `test1:${Buffer.alloc(32, 7).toString('base64')}`;

export function startOrchestrator(
  infra: TestInfra,
  databaseUrl: string,
  name = 'orchestrator',
  /** Added to (or, set to undefined, removed from) the orchestrator's environment. */
  extraEnv: Record<string, string | undefined> = {},
): ManagedProcess {
  return startProcess(name, 'orchestrator/main.ts', {
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_NAMESPACE: infra.namespace,
    DATABASE_URL: databaseUrl,
    GRAPHIUM_WORKFLOW_BUNDLE: infra.workflowBundle,
    GRAPHIUM_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    ...testPayloadEnv.orchestrator,
    // Test files share one Temporal: a reconcile schedule left by one would reconcile the next one's
    // stacks. Off (and so removed) unless a test asks for it.
    GRAPHIUM_RECONCILE_INTERVAL: '0',
    // What docker-compose.yml gives the orchestrator, so tests and benchmarks run what was measured.
    ...ORCHESTRATOR_MEMORY_ENV,
    ...extraEnv,
  });
}

/** Starts `npm run api` on a free port and resolves once it logs `api listening`. */
export async function startApi(
  infra: TestInfra,
  databaseUrl: string,
  adminToken: string,
  name = 'api',
  extraEnv: Record<string, string> = {},
): Promise<{ process: ManagedProcess; baseUrl: string }> {
  const port = await freePort();
  const child = startProcess(name, 'api/main.ts', {
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_NAMESPACE: infra.namespace,
    GRAPHIUM_ADMIN_TOKEN: adminToken,
    GRAPHIUM_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    ...testPayloadEnv.api,
    ...extraEnv,
  });
  try {
    await child.waitForLog(/"api listening"/, 60_000);
  } catch (error) {
    await child.stop(5_000);
    throw error;
  }
  return { process: child, baseUrl: `http://127.0.0.1:${port}` };
}

/**
 * Starts `npm run agent` for a host. Its data directory (bundles, stack data) lies beside its
 * daemon's, which binds from it and is removed with it; never the machine's /var/lib/graphium.
 */
export function startAgent(
  infra: TestInfra,
  hostId: string,
  dockerHost: string,
  extraEnv: Record<string, string> = {},
  options: { name?: string; prefix?: string[] } = {},
): ManagedProcess {
  return startProcess(
    options.name ?? `agent-${hostId}`,
    'worker-agent/main.ts',
    {
      TEMPORAL_ADDRESS: infra.temporalAddress,
      TEMPORAL_NAMESPACE: infra.namespace,
      GRAPHIUM_HOST_ID: hostId,
      DOCKER_HOST: dockerHost,
      GRAPHIUM_AGENT_DATA_DIR: agentDataDir(infra, hostId, dockerHost),
      ...testPayloadEnv.agent,
      ...extraEnv,
    },
    options.prefix,
  );
}

export function agentDataDir(infra: TestInfra, hostId: string, dockerHost: string): string {
  const daemonDir = infra.dockerHosts.find((h) => h.dockerHost === dockerHost)?.dir;
  return daemonDir
    ? join(daemonDir, `agent-${hostId}`)
    : join(tmpdir(), `graphium-agent-${process.pid}`, hostId);
}

export async function waitUntilPolling(processes: ManagedProcess[]): Promise<void> {
  await Promise.all(processes.map((p) => p.waitForLog(/"(agent|orchestrator) polling"/, 60_000)));
}

/**
 * Until the API would see every host online. An agent logs "agent polling" just before its first
 * poll reaches Temporal: a deploy placed in between would leave out a host it sees offline.
 */
export async function waitUntilOnline(
  client: Client,
  namespace: string,
  hostIds: string[],
  /** Their agents: one that exits meanwhile fails the wait at once, with its last log lines. */
  agents: Iterable<ManagedProcess> = [],
): Promise<void> {
  await whileRunning(
    agents,
    waitFor(
      `hosts ${hostIds.join(', ')} to show online`,
      async () =>
        [...(await describeHostAgents(client, namespace, hostIds)).values()].every(
          (s) => s.status === 'online',
        ),
      { timeoutMs: 60_000, intervalMs: 200 },
    ),
  );
}

/** A client that signs as the API does: tests start operations through it as the API would. */
export async function temporalClient(infra: TestInfra): Promise<Client> {
  return connectClient(
    { TEMPORAL_ADDRESS: infra.temporalAddress, TEMPORAL_NAMESPACE: infra.namespace },
    payloadDataConverter(testApiSecurity()),
  );
}

/** The API's codec endpoint decoder, for an in-process API. */
export function testPayloadCodec(): GraphiumPayloadCodec {
  return new GraphiumPayloadCodec({ keyring: testApiSecurity().keyring, policy: readerPolicy });
}

/** Stops every process: SIGTERM, then SIGKILL after 15 s. Their logs stay in the run's log folder. */
export async function stopAll(processes: ManagedProcess[]): Promise<void> {
  await Promise.all(processes.map((p) => p.stop(15_000)));
}
