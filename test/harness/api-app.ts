import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { type AppDeps, createApp } from '../../api/app.js';
import type { AppRouter } from '../../api/lib/types.js';
import { type Role, roles } from '../../contracts/vocabulary.js';
import type { Database } from '../../db/client.js';
import { deployments } from '../../db/schema.js';
import { type Keyring, parseKeyring } from '../../lib/encryption.js';
import { createLogger } from '../../lib/log.js';
import { ensureSearchAttributes } from '../../lib/temporal.js';
import { type DatabaseKind, type OpenTestDatabase, openTestDatabase } from './databases.js';
import { TEST_ENCRYPTION_KEYS, temporalClient, testPayloadCodec } from './graphium.js';
import type { TestInfra } from './infra.js';

// The API in-process, as `npm run api` builds it, on a real database and a real Temporal server, with
// one token per role made through POST /tokens. Route tests share this instead of copying set-up.

export interface RequestOptions {
  /** A bearer token; null sends no Authorization header. Defaults to the admin token. */
  token?: string | null;
  /** Sent as `application/json`. */
  json?: unknown;
  /** A raw body, with whatever Content-Type `headers` give. */
  body?: string;
  headers?: Record<string, string>;
}

export interface TestApi {
  app: AppRouter;
  db: Database;
  database: OpenTestDatabase;
  temporal: Client;
  keyring: Keyring;
  /** The bootstrap GRAPHIUM_ADMIN_TOKEN. */
  bootstrapToken: string;
  tokens: Record<Role, string>;
  /** An admin token that has been revoked. */
  revokedToken: string;
  /** `path` is relative to /api/v1 unless it starts with it. */
  request(method: string, path: string, options?: RequestOptions): Promise<Response>;
  close(): Promise<void>;
}

export async function createTestApi(
  infra: TestInfra,
  {
    database: kind = 'postgres',
    logLevel = 'error',
    deps = {},
  }: {
    database?: DatabaseKind;
    logLevel?: string;
    /** Settings beyond the defaults (a stream cap, a Temporal UI URL, a Compose policy). */
    deps?: Pick<Partial<AppDeps>, 'maxStreamsPerToken' | 'temporalUiUrl' | 'composePolicy'>;
  } = {},
): Promise<TestApi> {
  const database = await openTestDatabase(kind, infra.pgAdminUrl);
  const temporal = await temporalClient(infra);
  // As runApi does at start: operations are started with Graphium's search attributes.
  await ensureSearchAttributes(temporal.connection, infra.namespace);
  const bootstrapToken = `test-${randomBytes(16).toString('hex')}`;
  const keyring = parseKeyring(TEST_ENCRYPTION_KEYS) as Keyring;
  const app = createApp({
    db: database.db,
    temporal,
    temporalAddress: infra.temporalAddress,
    adminToken: bootstrapToken,
    keyring,
    namespace: infra.namespace,
    pickupTimeout: '60s',
    payloadCodec: testPayloadCodec(),
    log: createLogger('api-test', logLevel),
    ...deps,
  });

  const request = (method: string, path: string, options: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? api.tokens.admin : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    const url = path.startsWith('/api/v1') || path === '/docs' ? path : `/api/v1${path}`;
    return Promise.resolve(app.request(url, { method, headers, body }));
  };

  const api: TestApi = {
    app,
    db: database.db,
    database,
    temporal,
    keyring,
    bootstrapToken,
    tokens: { admin: '', deployer: '', viewer: '' },
    revokedToken: '',
    request,
    close: async () => {
      await terminateStartedWorkflows(temporal, database.db);
      await temporal.connection.close();
      await database.close();
    },
  };
  const createToken = async (name: string, role: Role) => {
    const response = await request('POST', '/tokens', { token: bootstrapToken, json: { name, role } });
    if (response.status !== 201) throw new Error(`cannot create token ${name}: ${await response.text()}`);
    return (await response.json()) as { id: string; token: string };
  };
  for (const role of roles) {
    api.tokens[role] = (await createToken(`test-${role}`, role)).token;
  }
  const revoked = await createToken('test-revoked', 'admin');
  await request('DELETE', `/tokens/${revoked.id}`, { token: bootstrapToken });
  api.revokedToken = revoked.token;
  return api;
}

/**
 * No orchestrator runs beside the in-process API, so the operations it starts wait in Temporal. They
 * must not outlive the file: a later file's orchestrator (same Temporal) would run them on its hosts.
 */
async function terminateStartedWorkflows(temporal: Client, db: Database): Promise<void> {
  const rows = await db
    .select({ workflowId: deployments.workflowId, runId: deployments.runId })
    .from(deployments);
  await Promise.all(
    rows.map((row) =>
      temporal.workflow
        .getHandle(row.workflowId, row.runId ?? undefined)
        .terminate('test file finished')
        .catch(() => {}),
    ),
  );
}

/** The JSON body of a response, typed loosely for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary fields.
export async function json(response: Response): Promise<any> {
  return response.json();
}
