import type { Keyring } from '../../lib/encryption.js';
import { parseKeyring } from '../../lib/encryption.js';
import { type DecodePolicy, workflowPolicy } from '../../lib/payload-codec.js';
import {
  agentPayloadSecurity,
  apiPayloadSecurity,
  orchestratorPayloadSecurity,
  type PayloadSecurity,
} from '../../lib/payload-security.js';
import { parsePublicKeys, parseSigningKey, publicKeyText, type SigningKey } from '../../lib/signing-keys.js';

// The keys of Temporal payloads that every test process shares (docs/security.md): test-only values,
// fixed so that the histories recorded by one run replay in the next (workflows/replay.test.ts).

export const TEST_PAYLOAD_KEYS = `ptest1:${Buffer.alloc(32, 9).toString('base64')}`;
export const TEST_API_SIGNING_KEY = `api-test1:${Buffer.alloc(32, 3).toString('base64')}`;
export const TEST_ORCHESTRATOR_SIGNING_KEY = `orchestrator-test1:${Buffer.alloc(32, 5).toString('base64')}`;

const signing = (text: string) => parseSigningKey(text) as SigningKey;
export const TEST_API_PUBLIC_KEYS = publicKeyText(signing(TEST_API_SIGNING_KEY));
export const TEST_ORCHESTRATOR_PUBLIC_KEYS = publicKeyText(signing(TEST_ORCHESTRATOR_SIGNING_KEY));

const payloadKeys = () => parseKeyring(TEST_PAYLOAD_KEYS, 'GRAPHIUM_PAYLOAD_KEYS') as Keyring;
const publicKeys = (text: string) =>
  parsePublicKeys(text) as Exclude<ReturnType<typeof parsePublicKeys>, string>;

/** The environment of each process, as an operator would set it. */
export const testPayloadEnv = {
  api: { GRAPHIUM_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, GRAPHIUM_API_SIGNING_KEY: TEST_API_SIGNING_KEY },
  orchestrator: {
    GRAPHIUM_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    GRAPHIUM_ORCHESTRATOR_SIGNING_KEY: TEST_ORCHESTRATOR_SIGNING_KEY,
    GRAPHIUM_API_PUBLIC_KEYS: TEST_API_PUBLIC_KEYS,
  },
  agent: {
    GRAPHIUM_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS: TEST_ORCHESTRATOR_PUBLIC_KEYS,
  },
};

/** What the API holds: tests that start operations directly sign them as the API would. */
export function testApiSecurity(): PayloadSecurity {
  return apiPayloadSecurity({
    GRAPHIUM_PAYLOAD_KEYS: payloadKeys(),
    GRAPHIUM_API_SIGNING_KEY: signing(TEST_API_SIGNING_KEY),
  });
}

export function testOrchestratorSecurity(): PayloadSecurity {
  return orchestratorPayloadSecurity({
    GRAPHIUM_PAYLOAD_KEYS: payloadKeys(),
    GRAPHIUM_ORCHESTRATOR_SIGNING_KEY: signing(TEST_ORCHESTRATOR_SIGNING_KEY),
    GRAPHIUM_API_PUBLIC_KEYS: publicKeys(TEST_API_PUBLIC_KEYS),
    GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS: undefined,
  });
}

export function testAgentSecurity(): PayloadSecurity {
  return agentPayloadSecurity({
    GRAPHIUM_PAYLOAD_KEYS: payloadKeys(),
    GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS: publicKeys(TEST_ORCHESTRATOR_PUBLIC_KEYS),
  });
}

/**
 * Replays decode as the orchestrator's workflows do, except that histories recorded before payloads
 * were sealed (plaintext) are read as they are: those runs were in flight once and must still replay.
 */
export const replayPolicy: DecodePolicy = { ...workflowPolicy, plaintext: 'accept' };
