import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { runApi } from '../../api/server.js';
import { hostTaskQueue, ORCHESTRATOR_TASK_QUEUE } from '../../contracts/vocabulary.js';
import { type Database, openDatabase } from '../../db/client.js';
import { acquireDataDirLock } from '../../db/data-dir-lock.js';
import { insertHost } from '../../db/repositories/hosts.js';
import { abortAfter } from '../../lib/abort-after.js';
import { type Keyring, parseKeyring } from '../../lib/encryption.js';
import type { DevEnv } from '../../lib/env.js';
import { createLogger } from '../../lib/log.js';
import { apiPayloadSecurity, payloadDataConverter } from '../../lib/payload-security.js';
import { redactUrl } from '../../lib/redact-url.js';
import { publicKeyText } from '../../lib/signing-keys.js';
import { connectClient } from '../../lib/temporal.js';
import { installTemporalRuntime } from '../../lib/temporal-worker.js';
import { runOrchestrator } from '../../orchestrator/worker.js';
import { runAgent } from '../../worker-agent/agent.js';
import { renderBanner } from './banner.js';
import { type DevPayloadKeys, devAdminToken, devEncryptionKeys, devPayloadKeys } from './kept-secrets.js';
import { LOCAL_HOST_ID, partEnvs } from './parts.js';
import { assertPortFree } from './ports.js';
import { waitForApi, waitForOwnPoller } from './readiness.js';
import { type Shutdown, shutdownOnSignals } from './shutdown.js';
import { type DevTemporal, provideTemporal } from './temporal.js';

/** Bundling the workflows at start takes a while on a slow laptop; far past that, something is wrong. */
const READY_TIMEOUT_MS = 180_000;

interface DevContext {
  env: DevEnv;
  db: Database;
  dataDir: string;
  temporal: DevTemporal;
  admin: { token: string; source: string };
  encryptionKeys: Keyring;
  payloadKeys: DevPayloadKeys;
  shutdown: Shutdown;
}

/** Starts everything, runs until a signal or a failure, then stops it all in reverse order. */
export async function runDev(env: DevEnv): Promise<void> {
  const log = createLogger('dev', env.LOG_LEVEL, env.LOG_FORMAT);
  installTemporalRuntime(log);
  const dataDir = resolve(env.GRAPHIUM_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  try {
    const admin = devAdminToken(dataDir, env.GRAPHIUM_ADMIN_TOKEN);
    const encryptionKeys = parseKeyring(
      devEncryptionKeys(dataDir, env.GRAPHIUM_ENCRYPTION_KEYS).keys,
    ) as Keyring;
    const payloadKeys = devPayloadKeys(dataDir, env);
    await assertPortFree(env.PORT, 'PORT', 'pick a free PORT');
    // Set as soon as a server is spawned, before it answers.
    let killTemporal: (() => void) | undefined;
    const shutdown = shutdownOnSignals(() => killTemporal?.());
    // Whatever ends this process (a crash included), the detached server must not outlive it.
    process.once('exit', () => killTemporal?.());
    // No token in it: the UI serves this URL to whoever opens it. The browser sends the codec cookie.
    const codecEndpoint = `http://127.0.0.1:${env.PORT}/api/v1/temporal-codec`;
    const temporal = await provideTemporal(
      env,
      dataDir,
      log,
      (kill) => {
        killTemporal = kill;
      },
      codecEndpoint,
    );
    killTemporal = temporal.kill;
    try {
      const database = await openDatabase({ url: env.DATABASE_URL, dataDir });
      try {
        await insertHost(database.db, { id: LOCAL_HOST_ID, name: LOCAL_HOST_ID, labels: {} });
        if (!shutdown.isRequested) {
          await runParts({
            env,
            db: database.db,
            dataDir,
            temporal,
            admin,
            encryptionKeys,
            payloadKeys,
            shutdown,
          });
        }
      } finally {
        await database.close();
      }
    } finally {
      await temporal.stop();
      log.info('graphium dev stopped');
    }
  } finally {
    unlock();
  }
}

/**
 * One `npm run dev` per data directory: a second one would share the database and Temporal's
 * history file, and would take the first one's Temporal server for a leftover and stop it.
 */
function lockDataDir(dataDir: string): () => void {
  try {
    return acquireDataDirLock(dataDir);
  } catch (error) {
    // Only the lock's "in use by process N" is that case; anything else (EACCES, …) is its own story.
    const holder = /in use by process (\d+)/.exec((error as Error).message)?.[1];
    if (!holder) throw error;
    throw new Error(
      `${dataDir} is in use by another \`npm run dev\` (process ${holder}): stop it, or set GRAPHIUM_DATA_DIR`,
      { cause: error },
    );
  }
}

async function runParts(ctx: DevContext): Promise<void> {
  const { env, db, shutdown } = ctx;
  const envs = partEnvs(
    env,
    ctx.temporal,
    { adminToken: ctx.admin.token, encryptionKeys: ctx.encryptionKeys, payload: ctx.payloadKeys },
    ctx.dataDir,
  );
  const stop = shutdown.requested;
  const api = runApi(envs.api, createLogger('api', env.LOG_LEVEL, env.LOG_FORMAT), db, stop);
  const orchestrator = runOrchestrator(
    envs.orchestrator,
    createLogger('orchestrator', env.LOG_LEVEL, env.LOG_FORMAT),
    db,
    stop,
  );
  // Without a Docker daemon the rest is still useful (stacks, the UI, deploys queued for the host),
  // so a failed agent warns instead of taking everything down.
  const agentLog = createLogger('agent', env.LOG_LEVEL, env.LOG_FORMAT).child({ hostId: LOCAL_HOST_ID });
  const agent = runAgent(envs.agent, agentLog, stop).then(
    () => undefined,
    (error: Error) => {
      agentLog.warn({ err: error.message }, `the agent for host ${LOCAL_HOST_ID} is not running`);
      return error;
    },
  );
  for (const part of [api, orchestrator]) {
    part.catch((error: Error) => shutdown.request(`failed: ${error.message}`));
  }
  const announced = announceWhenReady(ctx, envs.api.TEMPORAL_NAMESPACE, agent).catch((error) => {
    if (shutdown.isRequested) return; // a part failed or a signal came: that is the story, not this
    shutdown.request('not ready');
    throw error;
  });
  const results = await Promise.allSettled([api, orchestrator, announced, agent]);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}

async function announceWhenReady(
  ctx: DevContext,
  namespace: string,
  agent: Promise<Error | undefined>,
): Promise<void> {
  const stopped = new AbortController();
  void ctx.shutdown.requested.then(() => stopped.abort());
  // Not AbortSignal.any over AbortSignal.timeout: see lib/abort-after.ts.
  const { signal, clear } = abortAfter(READY_TIMEOUT_MS, stopped.signal);
  const apiUrl = `http://127.0.0.1:${ctx.env.PORT}`;
  const temporal = await connectClient(
    { ...ctx.env, TEMPORAL_ADDRESS: ctx.temporal.address },
    payloadDataConverter(
      apiPayloadSecurity({
        GRAPHIUM_PAYLOAD_KEYS: ctx.payloadKeys.payloadKeys,
        GRAPHIUM_API_SIGNING_KEY: ctx.payloadKeys.apiSigningKey,
      }),
    ),
  );
  try {
    await Promise.all([
      waitForApi(apiUrl, signal),
      waitForOwnPoller(temporal, namespace, ORCHESTRATOR_TASK_QUEUE, 'workflow', signal),
    ]);
    const agentSettled = new AbortController();
    const agentQueue = hostTaskQueue(LOCAL_HOST_ID);
    const agentProblem = await Promise.race([
      waitForOwnPoller(
        temporal,
        namespace,
        agentQueue,
        'activity',
        AbortSignal.any([signal, agentSettled.signal]),
      ).then(() => undefined),
      agent.then((error) => error?.message ?? 'it stopped'),
    ]).finally(() => agentSettled.abort());
    process.stdout.write(
      renderBanner({
        apiUrl,
        temporal: ctx.temporal,
        namespace,
        dataDir: ctx.dataDir,
        database: ctx.env.DATABASE_URL
          ? `PostgreSQL ${redactUrl(ctx.env.DATABASE_URL)}`
          : 'embedded PGlite in pgdata/',
        adminToken: ctx.admin.token,
        tokenSource: ctx.admin.source,
        agent: {
          hostId: LOCAL_HOST_ID,
          dockerHost: ctx.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
          pickupTimeout: ctx.env.GRAPHIUM_AGENT_PICKUP_TIMEOUT,
          problem: agentProblem,
          keysEnv:
            `GRAPHIUM_PAYLOAD_KEYS=${ctx.payloadKeys.payloadKeysShell} ` +
            `GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS=${publicKeyText(ctx.payloadKeys.orchestratorSigningKey)}`,
        },
      }),
    );
  } finally {
    clear();
    await temporal.connection.close();
  }
}
