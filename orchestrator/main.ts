import { openDatabase } from '../db/client.js';
import { loadEnv, orchestratorEnvSchema } from '../lib/env.js';
import { createLogger } from '../lib/log.js';
import { runMain, untilShutdownSignal } from '../lib/main.js';
import { installTemporalRuntime } from '../lib/temporal-worker.js';
import { runOrchestrator } from './worker.js';

runMain('orchestrator', async () => {
  const env = loadEnv(orchestratorEnvSchema);
  const log = createLogger('orchestrator', env.LOG_LEVEL, env.LOG_FORMAT);
  installTemporalRuntime(log);
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.GRAPHIUM_DATA_DIR });
  try {
    await runOrchestrator(env, log, database.db, untilShutdownSignal());
  } finally {
    await database.close();
  }
});
