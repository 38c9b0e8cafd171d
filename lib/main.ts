import { ConfigError } from './env.js';

/**
 * Runs a process entry point: a configuration error prints its message (no stack trace) and exits 2,
 * any other failure exits 1 with its message, and the process never lingers on a failed start.
 */
export function runMain(role: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`graphium ${role}: ${error.message}\n`);
        process.exit(2);
      }
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`graphium ${role}: ${message}\n`);
      process.exit(1);
    },
  );
}

/** Resolves on the first SIGINT or SIGTERM, so entry points can shut down in their own finally blocks. */
export function untilShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
}
