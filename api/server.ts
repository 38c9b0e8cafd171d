import { type ServerType, serve } from '@hono/node-server';
import type { Database } from '../db/client.js';
import type { ApiEnv } from '../lib/env.js';
import type { Logger } from '../lib/log.js';
import { connectClient, ensureSearchAttributes } from '../lib/temporal.js';
import { createApp } from './app.js';
import { rateLimitsFromEnv } from './lib/rate-limit.js';

/** Open SSE streams would hold a graceful close forever; after this long they are cut. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Serves the API until `stop` resolves, then closes the server and its Temporal connection. The
 * database belongs to the caller, so `npm run dev` can share one embedded PGlite with the orchestrator.
 */
export async function runApi(env: ApiEnv, log: Logger, db: Database, stop: Promise<unknown>): Promise<void> {
  const temporal = await connectClient(env);
  try {
    const added = await ensureSearchAttributes(temporal.connection, env.TEMPORAL_NAMESPACE);
    if (added.length > 0) log.info({ added }, 'registered search attributes');
    const app = createApp({
      db,
      temporal,
      temporalAddress: env.TEMPORAL_ADDRESS,
      adminToken: env.GRAPHIUM_ADMIN_TOKEN,
      keyring: env.GRAPHIUM_ENCRYPTION_KEYS,
      namespace: env.TEMPORAL_NAMESPACE,
      pickupTimeout: env.GRAPHIUM_AGENT_PICKUP_TIMEOUT,
      rateLimits: rateLimitsFromEnv(env),
      maxStreamsPerToken: env.GRAPHIUM_MAX_STREAMS_PER_TOKEN,
      temporalUiUrl: env.TEMPORAL_UI_URL,
      log,
    });
    const server = await listen(app.fetch, env.PORT);
    log.info({ port: env.PORT, temporal: env.TEMPORAL_ADDRESS }, 'api listening');
    await stop;
    await close(server);
    await app.stopWatchers();
    log.info('api stopped');
  } finally {
    await temporal.connection.close();
  }
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port }, () => resolve(server));
    server.once('error', reject);
  });
}

function close(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
