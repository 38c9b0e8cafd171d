import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { apiEnvSchema, loadEnv } from '../lib/env.js';
import { createLogger } from '../lib/log.js';
import { runMain, untilShutdownSignal } from '../lib/main.js';

runMain('api', async () => {
  const env = loadEnv(apiEnvSchema);
  const log = createLogger('api', env.LOG_LEVEL);
  const app = new Hono().get('/api/v1/healthz', (c) => c.json({ status: 'ok' }));
  const server = serve({ fetch: app.fetch, port: env.PORT });
  log.info({ port: env.PORT }, 'api listening');
  await untilShutdownSignal();
  server.close();
});
