import { agentEnvSchema, loadEnv } from '../lib/env.js';
import { createLogger } from '../lib/log.js';
import { runMain, untilShutdownSignal } from '../lib/main.js';
import { installTemporalRuntime } from '../lib/temporal-worker.js';
import { runAgent } from './agent.js';

runMain('agent', async () => {
  const env = loadEnv(agentEnvSchema);
  const log = createLogger('agent', env.LOG_LEVEL, env.LOG_FORMAT).child({ hostId: env.GRAPHIUM_HOST_ID });
  installTemporalRuntime(log);
  await runAgent(env, log, untilShutdownSignal());
});
