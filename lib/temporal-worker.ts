import { DefaultLogger, type LogLevel, NativeConnection, Runtime } from '@temporalio/worker';
import type { TemporalEnv } from './env.js';
import type { Logger } from './log.js';
import { connectionOptions, withConnectContext } from './temporal.js';

// The worker side of ./temporal.ts, apart so that the API (a client only) never loads the worker SDK.

/** Routes the SDK's own log lines (worker state, retries, core warnings) into our structured log. */
export function installTemporalRuntime(log: Logger): void {
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  Runtime.install({
    logger: new DefaultLogger('INFO', ({ level, message, meta }) =>
      // The bundler's webpack report (dozens of lines) is for debugging a bundle; "Workflow bundle
      // created" follows it at info anyway.
      log[message.startsWith('asset workflow-bundle') ? 'debug' : levels[level]]({ ...meta }, message),
    ),
    shutdownSignals: [],
    // The API reads a host's liveness from these: a live agent, busy or idle, shows up every 5 s, so
    // a dead or cut-off one is seen offline within 20 s (api/services/host-agents.ts).
    workerHeartbeatInterval: '5s',
  });
}

export async function connectWorkerConnection(env: TemporalEnv): Promise<NativeConnection> {
  return withConnectContext(env, () => NativeConnection.connect(connectionOptions(env)));
}
