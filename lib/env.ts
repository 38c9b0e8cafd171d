import { accessSync, constants, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { formatDuration, parseDuration } from '../stack/duration.js';
import { stackNamePattern } from '../stack/names.js';
import { readComposePolicy } from './compose-policy-file.js';
import { parseKeyring } from './encryption.js';
import { logFormats } from './log.js';
import { redactUrl } from './redact-url.js';
import { parsePublicKeys, parseSigningKey } from './signing-keys.js';

// Every process parses its configuration here, once, at start. Nothing else reads process.env.

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233');
const filePath = z.string().refine((path) => existsSync(path), 'file does not exist');
const executableFile = z.string().refine((path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}, 'no executable file at this path');
/** A Compose-style duration (`90s`, `1m30s`), handed on in the form Temporal reads the same way. */
const duration = z
  .string()
  .refine((text) => (parseDuration(text) ?? 0) > 0, 'expected a duration such as 30s, 1m30s or 1h')
  .transform((text) => formatDuration(parseDuration(text)!));
/** Like `duration`, but `0` is allowed and means "never" (a feature switched off). */
const durationOrOff = z
  .string()
  .refine(
    (text) => /^0+$/.test(text) || (parseDuration(text) ?? 0) > 0,
    'expected a duration such as 10m or 30s, or 0 to turn it off',
  )
  .transform((text) => (/^0+$/.test(text) ? '0' : formatDuration(parseDuration(text)!)));
const portMessage = 'expected a port number between 1 and 65535';
const port = z.coerce
  .number({ error: portMessage })
  .int(portMessage)
  .min(1, portMessage)
  .max(65535, portMessage);
/** GRAPHIUM_ENCRYPTION_KEYS: the keyring that seals secrets at rest (lib/encryption.ts). */
const encryptionKeys = z.string().transform((text, ctx) => {
  const keyring = parseKeyring(text);
  if (typeof keyring !== 'string') return keyring;
  ctx.addIssue({ code: 'custom', message: keyring });
  return z.NEVER;
});
/** GRAPHIUM_PAYLOAD_KEYS: the keyring that seals every Temporal payload (lib/payload-codec.ts). */
const payloadKeys = z.string().transform((text, ctx) => {
  const keyring = parseKeyring(text, 'GRAPHIUM_PAYLOAD_KEYS');
  if (typeof keyring !== 'string') return keyring;
  ctx.addIssue({ code: 'custom', message: keyring });
  return z.NEVER;
});
/** GRAPHIUM_API_SIGNING_KEY, GRAPHIUM_ORCHESTRATOR_SIGNING_KEY: `id:base64` of an Ed25519 seed. */
const signingKey = z.string().transform((text, ctx) => {
  const key = parseSigningKey(text);
  if (typeof key !== 'string') return key;
  ctx.addIssue({ code: 'custom', message: key });
  return z.NEVER;
});
/** GRAPHIUM_API_PUBLIC_KEYS, GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS: the public keys whose signatures count. */
const publicKeys = z.string().transform((text, ctx) => {
  const keys = parsePublicKeys(text);
  if (typeof keys !== 'string') return keys;
  ctx.addIssue({ code: 'custom', message: keys });
  return z.NEVER;
});
/** GRAPHIUM_COMPOSE_POLICY: who may use which Compose keys, over the defaults (compose/role-policy.ts). */
const composePolicyFile = z.string().transform((path, ctx) => {
  const policy = readComposePolicy(path);
  if (typeof policy !== 'string') return policy;
  ctx.addIssue({ code: 'custom', message: policy });
  return z.NEVER;
});
/** GRAPHIUM_RESERVED_STACK_NAMES: stack names refused besides `graphium` (other infrastructure projects). */
const reservedStackNames = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  )
  .refine(
    (names) => names.every((name) => stackNamePattern.test(name)),
    'expected comma-separated stack names (lower-case letters, digits, "_" and "-")',
  );
/** Checked as `npm run dev` takes them; it generates and keeps its own when they are unset. */
const checkedText = (parse: (text: string) => unknown, message: string) =>
  z
    .string()
    .refine((text) => typeof parse(text) !== 'string', message)
    .optional();
const adminToken = z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)');
const dockerHost = z
  .string()
  .regex(
    /^(unix:\/\/\/\S+|tcp:\/\/[^\s:/]+:\d{1,5})$/,
    'expected unix:///path/to/docker.sock or tcp://host:port',
  );
const agentConcurrency = z.coerce
  .number({ error: 'expected a whole number between 1 and 256' })
  .int()
  .min(1, 'expected a whole number between 1 and 256')
  .max(256, 'expected a whole number between 1 and 256')
  .default(16);
/** Rate limits (api/lib/rate-limit.ts): a count per window, 0 for none. */
const rateLimit = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a whole number, 0 for no limit' })
    .int('expected a whole number, 0 for no limit')
    .min(0, 'expected a whole number, 0 for no limit')
    .default(fallback);
const rateLimitVars = {
  GRAPHIUM_RATE_LIMIT_WINDOW: duration.default('1m'),
  GRAPHIUM_RATE_LIMIT_AUTH_FAILURES: rateLimit(60),
  GRAPHIUM_RATE_LIMIT_MUTATIONS: rateLimit(600),
  GRAPHIUM_TRUSTED_PROXIES: z.coerce
    .number({ error: 'expected the number of reverse proxies in front of the API, 0 to 10' })
    .int('expected the number of reverse proxies in front of the API, 0 to 10')
    .min(0, 'expected the number of reverse proxies in front of the API, 0 to 10')
    .max(10, 'expected the number of reverse proxies in front of the API, 0 to 10')
    .default(0),
};
/** The agent's data directory; absolute, because the Docker daemon bind-mounts from it by path. */
const agentDataDir = z
  .string()
  .min(1)
  .default('/var/lib/graphium')
  .transform((path) => resolve(path));
/** Where people open the Temporal Web UI; the dashboard links each operation to its run there. */
const webUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL, e.g. http://127.0.0.1:8233' })
  .transform((url) => url.replace(/\/+$/, ''));
const streamCap = z.coerce
  .number({ error: 'expected a whole number between 1 and 10000' })
  .int('expected a whole number between 1 and 10000')
  .min(1, 'expected a whole number between 1 and 10000')
  .max(10_000, 'expected a whole number between 1 and 10000')
  .default(32);
const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info');
const logFormat = z.enum(logFormats).default('auto');

export const hostIdPattern = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const hostIdMessage =
  'expected 1-63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit';
const hostId = z.string().regex(hostIdPattern, hostIdMessage);

const temporalVars = {
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** `true`: TLS even without any file (a publicly trusted server). Any TEMPORAL_TLS_* also turns it on. */
  TEMPORAL_TLS: z.enum(['true', 'false'], { error: 'expected true or false' }).optional(),
  TEMPORAL_TLS_CERT: filePath.optional(),
  TEMPORAL_TLS_KEY: filePath.optional(),
  TEMPORAL_TLS_CA: filePath.optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
};

const databaseVars = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// or postgresql:// URL')
    .optional(),
  GRAPHIUM_DATA_DIR: z.string().min(1).default('.graphium'),
};

const tlsSettings = [
  'TEMPORAL_TLS_CERT',
  'TEMPORAL_TLS_KEY',
  'TEMPORAL_TLS_CA',
  'TEMPORAL_TLS_SERVER_NAME',
] as const;

/** TLS to Temporal is on when TEMPORAL_TLS=true or any TEMPORAL_TLS_* setting is given. */
export function temporalTlsEnabled(
  env: Partial<Record<'TEMPORAL_TLS' | (typeof tlsSettings)[number], string>>,
): boolean {
  return env.TEMPORAL_TLS === 'true' || tlsSettings.some((name) => Boolean(env[name]));
}

function withTlsPairCheck<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape).superRefine((env, ctx) => {
    const record = env as Record<string, unknown>;
    if (Boolean(record.TEMPORAL_TLS_CERT) !== Boolean(record.TEMPORAL_TLS_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: [record.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT'],
        message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together',
      });
    }
    // A TLS setting that TEMPORAL_TLS=false would silently switch off is a mistake either way.
    const given = tlsSettings.filter((name) => record[name]);
    if (record.TEMPORAL_TLS === 'false' && given.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_TLS'],
        message: `false contradicts ${given.join(', ')} (any TEMPORAL_TLS_* setting turns TLS on)`,
      });
    }
  });
}

export const apiEnvSchema = withTlsPairCheck({
  ...temporalVars,
  ...databaseVars,
  PORT: port.default(3000),
  ...rateLimitVars,
  GRAPHIUM_ADMIN_TOKEN: adminToken,
  GRAPHIUM_ENCRYPTION_KEYS: encryptionKeys,
  GRAPHIUM_PAYLOAD_KEYS: payloadKeys,
  GRAPHIUM_API_SIGNING_KEY: signingKey,
  GRAPHIUM_COMPOSE_POLICY: composePolicyFile.optional(),
  GRAPHIUM_RESERVED_STACK_NAMES: reservedStackNames.optional(),
  GRAPHIUM_AGENT_PICKUP_TIMEOUT: duration.default('60s'),
  GRAPHIUM_MAX_STREAMS_PER_TOKEN: streamCap,
  TEMPORAL_UI_URL: webUrl.optional(),
  LOG_LEVEL: logLevel,
  LOG_FORMAT: logFormat,
});

export const orchestratorEnvSchema = withTlsPairCheck({
  ...temporalVars,
  ...databaseVars,
  GRAPHIUM_WORKFLOW_BUNDLE: filePath.optional(),
  GRAPHIUM_ENCRYPTION_KEYS: encryptionKeys,
  GRAPHIUM_PAYLOAD_KEYS: payloadKeys,
  GRAPHIUM_ORCHESTRATOR_SIGNING_KEY: signingKey,
  GRAPHIUM_API_PUBLIC_KEYS: publicKeys,
  // Earlier orchestrator keys, still trusted for what it signed before a rotation: the operations it
  // started itself (scheduled reconciles, repair deploys) and the control activities it scheduled.
  GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS: publicKeys.optional(),
  // How often every stack is reconciled (the Temporal Schedule the orchestrator keeps); 0: never.
  GRAPHIUM_RECONCILE_INTERVAL: durationOrOff.default('10m'),
  // The pickup bound of the operations the orchestrator starts itself (reconciles, repairs).
  GRAPHIUM_AGENT_PICKUP_TIMEOUT: duration.default('60s'),
  LOG_LEVEL: logLevel,
  LOG_FORMAT: logFormat,
}).superRefine((env, ctx) => {
  // A signature names its key by id: one id for two keys would let the API's pass for the orchestrator's.
  const own = [
    env.GRAPHIUM_ORCHESTRATOR_SIGNING_KEY.id,
    ...(env.GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS ?? []).map((k) => k.id),
  ];
  const clash = env.GRAPHIUM_API_PUBLIC_KEYS.find((key) => own.includes(key.id));
  if (clash) {
    ctx.addIssue({
      code: 'custom',
      path: ['GRAPHIUM_API_PUBLIC_KEYS'],
      message: `key id "${clash.id}" is also an orchestrator key id: give every key its own id`,
    });
  }
});

export const agentEnvSchema = withTlsPairCheck({
  ...temporalVars,
  GRAPHIUM_HOST_ID: hostId,
  GRAPHIUM_PAYLOAD_KEYS: payloadKeys,
  GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS: publicKeys,
  DOCKER_HOST: dockerHost.optional(),
  GRAPHIUM_AGENT_CONCURRENCY: agentConcurrency,
  GRAPHIUM_AGENT_DATA_DIR: agentDataDir,
  LOG_LEVEL: logLevel,
  LOG_FORMAT: logFormat,
});

/**
 * `npm run dev`: everything in one process. Without TEMPORAL_ADDRESS it starts its own Temporal dev
 * server on TEMPORAL_PORT / TEMPORAL_UI_PORT; without GRAPHIUM_ADMIN_TOKEN it keeps a generated one
 * in the data directory.
 */
export const devEnvSchema = withTlsPairCheck({
  ...temporalVars,
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI: executableFile.optional(),
  // Where to look for `temporal` when TEMPORAL_CLI is unset.
  PATH: z.string().optional(),
  ...databaseVars,
  PORT: port.default(3000),
  ...rateLimitVars,
  GRAPHIUM_ADMIN_TOKEN: adminToken.optional(),
  // Checked here too, so a bad value fails before anything starts; dev keeps a generated one otherwise.
  GRAPHIUM_ENCRYPTION_KEYS: checkedText(parseKeyring, 'expected id:base64key[,id:base64key…] (32-byte keys)'),
  GRAPHIUM_PAYLOAD_KEYS: checkedText(parseKeyring, 'expected id:base64key[,id:base64key…] (32-byte keys)'),
  GRAPHIUM_API_SIGNING_KEY: checkedText(parseSigningKey, 'expected id:base64 of a 32-byte Ed25519 seed'),
  GRAPHIUM_ORCHESTRATOR_SIGNING_KEY: checkedText(
    parseSigningKey,
    'expected id:base64 of a 32-byte Ed25519 seed',
  ),
  GRAPHIUM_COMPOSE_POLICY: composePolicyFile.optional(),
  GRAPHIUM_RESERVED_STACK_NAMES: reservedStackNames.optional(),
  GRAPHIUM_AGENT_PICKUP_TIMEOUT: duration.default('60s'),
  GRAPHIUM_RECONCILE_INTERVAL: durationOrOff.default('10m'),
  GRAPHIUM_MAX_STREAMS_PER_TOKEN: streamCap,
  // Only with TEMPORAL_ADDRESS: the dev server's own UI is known without it.
  TEMPORAL_UI_URL: webUrl.optional(),
  DOCKER_HOST: dockerHost.optional(),
  GRAPHIUM_AGENT_CONCURRENCY: agentConcurrency,
  GRAPHIUM_WORKFLOW_BUNDLE: filePath.optional(),
  LOG_LEVEL: logLevel,
  LOG_FORMAT: logFormat,
}).superRefine((env, ctx) => {
  if (env.TEMPORAL_ADDRESS) return;
  // Our own dev server speaks plain gRPC on loopback: TLS settings would silently do nothing.
  for (const name of ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_NAME'] as const) {
    if (env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'only used with TEMPORAL_ADDRESS' });
  }
  if (env.TEMPORAL_TLS === 'true') {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS'], message: 'only used with TEMPORAL_ADDRESS' });
  }
  if (env.TEMPORAL_UI_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['TEMPORAL_UI_URL'],
      message: 'only used with TEMPORAL_ADDRESS (the dev server’s own UI is linked otherwise)',
    });
  }
  const taken = new Map<number, string>([[env.PORT, 'PORT']]);
  for (const name of ['TEMPORAL_PORT', 'TEMPORAL_UI_PORT'] as const) {
    const other = taken.get(env[name]);
    if (other)
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `must differ from ${other} (both are ${env[name]})`,
      });
    taken.set(env[name], name);
  }
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;
export type OrchestratorEnv = z.infer<typeof orchestratorEnvSchema>;
export type AgentEnv = z.infer<typeof agentEnvSchema>;
export type DevEnv = z.infer<typeof devEnvSchema>;
export type TemporalEnv = Pick<ApiEnv, keyof typeof temporalVars>;

/** Names whose values are never echoed in a configuration error. */
const SECRET_NAME = /TOKEN|PASSWORD|SECRET|KEY/;

/** How a bad value is shown: secrets never, a URL without its password. */
function shownValue(name: string, given: string | undefined): string {
  if (given === undefined) return 'not set';
  if (SECRET_NAME.test(name)) return 'given';
  if (name === 'DATABASE_URL') return `got "${redactUrl(given)}"`;
  return `got "${given}"`;
}

/** Parses the environment; an empty variable counts as unset, so defaults apply and required ones fail. */
export function loadEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(environment)');
    const given = present[name];
    const problem = issue.code === 'invalid_type' && given === undefined ? 'required' : issue.message;
    return `  ${name}: ${problem} (${shownValue(name, given)})`;
  });
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}
