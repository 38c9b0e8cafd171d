import { join } from 'node:path';
import type { Keyring } from '../../lib/encryption.js';
import type { AgentEnv, ApiEnv, DevEnv, OrchestratorEnv, TemporalEnv } from '../../lib/env.js';
import type { DevPayloadKeys } from './kept-secrets.js';

/** The host that `npm run dev` registers for the local Docker daemon and runs an agent for. */
export const LOCAL_HOST_ID = 'local';

/** The configuration each part would parse from its own environment, derived from the dev one. */
export function partEnvs(
  env: DevEnv,
  temporal: { address: string; uiUrl?: string | undefined },
  secrets: { adminToken: string; encryptionKeys: Keyring; payload: DevPayloadKeys },
  dataDir: string,
) {
  const temporalEnv: TemporalEnv = {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE,
    TEMPORAL_TLS: env.TEMPORAL_TLS,
    TEMPORAL_TLS_CERT: env.TEMPORAL_TLS_CERT,
    TEMPORAL_TLS_KEY: env.TEMPORAL_TLS_KEY,
    TEMPORAL_TLS_CA: env.TEMPORAL_TLS_CA,
    TEMPORAL_TLS_SERVER_NAME: env.TEMPORAL_TLS_SERVER_NAME,
  };
  const database = { DATABASE_URL: env.DATABASE_URL, GRAPHIUM_DATA_DIR: dataDir };
  const { payloadKeys, apiSigningKey, orchestratorSigningKey } = secrets.payload;
  const api: ApiEnv = {
    ...temporalEnv,
    ...database,
    PORT: env.PORT,
    GRAPHIUM_RATE_LIMIT_WINDOW: env.GRAPHIUM_RATE_LIMIT_WINDOW,
    GRAPHIUM_RATE_LIMIT_AUTH_FAILURES: env.GRAPHIUM_RATE_LIMIT_AUTH_FAILURES,
    GRAPHIUM_RATE_LIMIT_MUTATIONS: env.GRAPHIUM_RATE_LIMIT_MUTATIONS,
    GRAPHIUM_TRUSTED_PROXIES: env.GRAPHIUM_TRUSTED_PROXIES,
    GRAPHIUM_ADMIN_TOKEN: secrets.adminToken,
    GRAPHIUM_ENCRYPTION_KEYS: secrets.encryptionKeys,
    GRAPHIUM_PAYLOAD_KEYS: payloadKeys,
    GRAPHIUM_API_SIGNING_KEY: apiSigningKey,
    GRAPHIUM_COMPOSE_POLICY: env.GRAPHIUM_COMPOSE_POLICY,
    GRAPHIUM_RESERVED_STACK_NAMES: env.GRAPHIUM_RESERVED_STACK_NAMES,
    GRAPHIUM_AGENT_PICKUP_TIMEOUT: env.GRAPHIUM_AGENT_PICKUP_TIMEOUT,
    GRAPHIUM_MAX_STREAMS_PER_TOKEN: env.GRAPHIUM_MAX_STREAMS_PER_TOKEN,
    // The dashboard links every operation to its run in the Temporal UI.
    TEMPORAL_UI_URL: temporal.uiUrl ?? env.TEMPORAL_UI_URL,
    LOG_LEVEL: env.LOG_LEVEL,
    LOG_FORMAT: env.LOG_FORMAT,
  };
  const orchestrator: OrchestratorEnv = {
    ...temporalEnv,
    ...database,
    GRAPHIUM_WORKFLOW_BUNDLE: env.GRAPHIUM_WORKFLOW_BUNDLE,
    GRAPHIUM_ENCRYPTION_KEYS: secrets.encryptionKeys,
    GRAPHIUM_PAYLOAD_KEYS: payloadKeys,
    GRAPHIUM_ORCHESTRATOR_SIGNING_KEY: orchestratorSigningKey,
    GRAPHIUM_API_PUBLIC_KEYS: [apiSigningKey],
    GRAPHIUM_RECONCILE_INTERVAL: env.GRAPHIUM_RECONCILE_INTERVAL,
    GRAPHIUM_AGENT_PICKUP_TIMEOUT: env.GRAPHIUM_AGENT_PICKUP_TIMEOUT,
    LOG_LEVEL: env.LOG_LEVEL,
    LOG_FORMAT: env.LOG_FORMAT,
  };
  const agent: AgentEnv = {
    ...temporalEnv,
    GRAPHIUM_HOST_ID: LOCAL_HOST_ID,
    GRAPHIUM_PAYLOAD_KEYS: payloadKeys,
    GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS: [orchestratorSigningKey],
    DOCKER_HOST: env.DOCKER_HOST,
    GRAPHIUM_AGENT_CONCURRENCY: env.GRAPHIUM_AGENT_CONCURRENCY,
    // Beside dev's own state; the local daemon binds from it, so it is the absolute path of dataDir.
    GRAPHIUM_AGENT_DATA_DIR: join(dataDir, 'agent'),
    LOG_LEVEL: env.LOG_LEVEL,
    LOG_FORMAT: env.LOG_FORMAT,
  };
  return { api, orchestrator, agent };
}
