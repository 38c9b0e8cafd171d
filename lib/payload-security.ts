import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { Keyring } from './encryption.js';
import type { AgentEnv, ApiEnv, OrchestratorEnv } from './env.js';
import type { Logger } from './log.js';
import {
  type DecodePolicy,
  GraphiumPayloadCodec,
  readerPolicy,
  type SignerRole,
  type TrustedKey,
} from './payload-codec.js';
import type { SigningKey, VerifyingKey } from './signing-keys.js';

// Which keys each process holds for the payloads it exchanges through Temporal (docs/security.md):
// the API signs what it asks for; the orchestrator trusts the API's keys and signs the work it
// schedules; agents trust only the orchestrator's keys and sign nothing. All share GRAPHIUM_PAYLOAD_KEYS.

export interface PayloadSecurity {
  keyring: Keyring;
  signer?: SigningKey | undefined;
  trusted: TrustedKey[];
}

export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.ts', import.meta.url));

const trust = (role: SignerRole, keys: readonly VerifyingKey[] = []) => keys.map((key) => ({ ...key, role }));

export function apiPayloadSecurity(env: Pick<ApiEnv, 'GRAPHIUM_PAYLOAD_KEYS' | 'GRAPHIUM_API_SIGNING_KEY'>) {
  return { keyring: env.GRAPHIUM_PAYLOAD_KEYS, signer: env.GRAPHIUM_API_SIGNING_KEY, trusted: [] };
}

export function orchestratorPayloadSecurity(
  env: Pick<
    OrchestratorEnv,
    | 'GRAPHIUM_PAYLOAD_KEYS'
    | 'GRAPHIUM_ORCHESTRATOR_SIGNING_KEY'
    | 'GRAPHIUM_API_PUBLIC_KEYS'
    | 'GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS'
  >,
): PayloadSecurity {
  const own = env.GRAPHIUM_ORCHESTRATOR_SIGNING_KEY;
  const earlier = (env.GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS ?? []).filter((key) => key.id !== own.id);
  return {
    keyring: env.GRAPHIUM_PAYLOAD_KEYS,
    signer: own,
    trusted: [...trust('api', env.GRAPHIUM_API_PUBLIC_KEYS), ...trust('orchestrator', [own, ...earlier])],
  };
}

export function agentPayloadSecurity(
  env: Pick<AgentEnv, 'GRAPHIUM_PAYLOAD_KEYS' | 'GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS'>,
): PayloadSecurity {
  return {
    keyring: env.GRAPHIUM_PAYLOAD_KEYS,
    trusted: trust('orchestrator', env.GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS),
  };
}

/** The data converter of a client or worker: Graphium's codec with the given decode policy. */
export function payloadDataConverter(
  security: PayloadSecurity,
  policy: DecodePolicy = readerPolicy,
  log?: Logger,
): DataConverter {
  return {
    payloadCodecs: [new GraphiumPayloadCodec({ ...security, policy, log })],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
