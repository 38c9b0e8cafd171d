import { devEnvSchema, loadEnv } from '../lib/env.js';
import { runMain } from '../lib/main.js';
import { runDev } from './dev/run.js';

// `npm run dev`: a Temporal dev server with its Web UI, the embedded database, the API, the
// orchestrator and an agent for the local Docker daemon, all on this machine and (but Temporal) in
// this one process, because the embedded PGlite database admits a single process.
runMain('dev', async () => runDev(loadEnv(devEnvSchema)));
