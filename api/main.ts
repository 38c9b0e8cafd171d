import { openDatabase } from '../db/client.js';
import { apiEnvSchema, loadEnv } from '../lib/env.js';
import { createLogger } from '../lib/log.js';
import { runMain, untilShutdownSignal } from '../lib/main.js';
import { runApi } from './server.js';

runMain('api', async () => {
  const env = loadEnv(apiEnvSchema);
  const log = createLogger('api', env.LOG_LEVEL, env.LOG_FORMAT);
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.GRAPHIUM_DATA_DIR });
  try {
    await runApi(env, log, database.db, untilShutdownSignal());
  } finally {
    await database.close();
  }
});
