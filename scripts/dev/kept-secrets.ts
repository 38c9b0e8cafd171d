import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyringText, type Keyring, parseKeyring } from '../../lib/encryption.js';
import { generateSigningKeyText, parseSigningKey, type SigningKey } from '../../lib/signing-keys.js';

// Secrets `npm run dev` makes itself on the first start and keeps (owner-only) in the data directory,
// so a token pasted into a shell keeps working and sealed values stay readable across restarts.

/** The file in the data directory that keeps the generated dev admin token across restarts. */
export const ADMIN_TOKEN_FILE = 'admin-token';
/** The file that keeps the generated encryption keyring (GRAPHIUM_ENCRYPTION_KEYS). */
export const ENCRYPTION_KEYS_FILE = 'encryption-keys';
/** The files that keep the keys of Temporal payloads: sealing (GRAPHIUM_PAYLOAD_KEYS) and signing. */
export const PAYLOAD_KEYS_FILE = 'payload-keys';
export const API_SIGNING_KEY_FILE = 'api-signing-key';
export const ORCHESTRATOR_SIGNING_KEY_FILE = 'orchestrator-signing-key';

interface KeptSecret {
  dataDir: string;
  file: string;
  /** The value from the environment, which wins when given. */
  given: string | undefined;
  envName: string;
  generate: () => string;
  /** Why a kept value cannot be used, or undefined when it can. */
  problem: (value: string) => string | undefined;
}

function keptSecret(spec: KeptSecret): { value: string; source: string } {
  if (spec.given) return { value: spec.given, source: spec.envName };
  const file = join(spec.dataDir, spec.file);
  try {
    const value = readFileSync(file, 'utf8').trim();
    const problem = spec.problem(value);
    if (problem) throw new Error(`${file} holds no usable value (${problem}); delete it`);
    // Someone may have copied the data directory around; the secret stays owner-only.
    chmodSync(file, 0o600);
    return { value, source: file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = spec.generate();
  // `wx`: two dev processes racing on a fresh directory must not overwrite each other's secret.
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  return { value, source: `${file} (new)` };
}

/** GRAPHIUM_ADMIN_TOKEN when given, else the kept (or a new) generated one. */
export function devAdminToken(dataDir: string, given: string | undefined): { token: string; source: string } {
  const { value, source } = keptSecret({
    dataDir,
    file: ADMIN_TOKEN_FILE,
    given,
    envName: 'GRAPHIUM_ADMIN_TOKEN',
    generate: () => randomBytes(32).toString('hex'),
    problem: (token) => (token.length < 16 ? '16+ characters expected' : undefined),
  });
  return { token: value, source };
}

/** GRAPHIUM_ENCRYPTION_KEYS when given, else the kept (or a new) generated keyring. */
export function devEncryptionKeys(
  dataDir: string,
  given: string | undefined,
): { keys: string; source: string } {
  const { value, source } = keptSecret({
    dataDir,
    file: ENCRYPTION_KEYS_FILE,
    given,
    envName: 'GRAPHIUM_ENCRYPTION_KEYS',
    generate: () => generateKeyringText(),
    problem: (text) => {
      const parsed = parseKeyring(text);
      return typeof parsed === 'string' ? parsed : undefined;
    },
  });
  return { keys: value, source };
}

function keptParsed<T>(
  dataDir: string,
  file: string,
  envName: string,
  given: string | undefined,
  generate: () => string,
  parse: (text: string) => T | string,
): T {
  const { value } = keptSecret({
    dataDir,
    file,
    given,
    envName,
    generate,
    problem: (text) => {
      const parsed = parse(text);
      return typeof parsed === 'string' ? parsed : undefined;
    },
  });
  return parse(value) as T;
}

export interface DevPayloadKeys {
  payloadKeys: Keyring;
  /** How a shell reads GRAPHIUM_PAYLOAD_KEYS, to start another agent by hand. */
  payloadKeysShell: string;
  apiSigningKey: SigningKey;
  orchestratorSigningKey: SigningKey;
}

/**
 * The keys of Temporal payloads (docs/security.md): each from the environment when given, else the kept
 * (or a new) generated one. Histories of earlier runs stay readable, and runs in flight keep running,
 * across restarts.
 */
export function devPayloadKeys(
  dataDir: string,
  given: {
    GRAPHIUM_PAYLOAD_KEYS?: string | undefined;
    GRAPHIUM_API_SIGNING_KEY?: string | undefined;
    GRAPHIUM_ORCHESTRATOR_SIGNING_KEY?: string | undefined;
  },
): DevPayloadKeys {
  return {
    payloadKeysShell: given.GRAPHIUM_PAYLOAD_KEYS
      ? '"$GRAPHIUM_PAYLOAD_KEYS"'
      : `"$(cat ${join(dataDir, PAYLOAD_KEYS_FILE)})"`,
    payloadKeys: keptParsed(
      dataDir,
      PAYLOAD_KEYS_FILE,
      'GRAPHIUM_PAYLOAD_KEYS',
      given.GRAPHIUM_PAYLOAD_KEYS,
      () => generateKeyringText('p1'),
      (text) => parseKeyring(text, 'GRAPHIUM_PAYLOAD_KEYS'),
    ),
    apiSigningKey: keptParsed(
      dataDir,
      API_SIGNING_KEY_FILE,
      'GRAPHIUM_API_SIGNING_KEY',
      given.GRAPHIUM_API_SIGNING_KEY,
      () => generateSigningKeyText('api1'),
      parseSigningKey,
    ),
    orchestratorSigningKey: keptParsed(
      dataDir,
      ORCHESTRATOR_SIGNING_KEY_FILE,
      'GRAPHIUM_ORCHESTRATOR_SIGNING_KEY',
      given.GRAPHIUM_ORCHESTRATOR_SIGNING_KEY,
      () => generateSigningKeyText('orchestrator1'),
      parseSigningKey,
    ),
  };
}
