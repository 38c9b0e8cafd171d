/**
 * One stop signal for every part of `npm run dev`. The first SIGINT/SIGTERM (or a part that fails)
 * starts a clean shutdown; a signal after that forces the exit, after `onForce` has killed what
 * would otherwise outlive us (the detached Temporal server).
 */
export interface Shutdown {
  /** Resolves with the reason once shutdown has begun. */
  readonly requested: Promise<string>;
  readonly isRequested: boolean;
  request(reason: string): void;
}

const REPEAT_WINDOW_MS = 500;

export function shutdownOnSignals(onForce: () => void): Shutdown {
  let resolve!: (reason: string) => void;
  const requested = new Promise<string>((r) => {
    resolve = r;
  });
  let stopping = false;
  let firstSignalAt: number | undefined;
  const request = (reason: string) => {
    if (stopping) return;
    stopping = true;
    resolve(reason);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt === undefined) {
      firstSignalAt = Date.now();
      process.stderr.write(`\ngraphium dev: ${signal}, stopping… (press Ctrl-C again to force)\n`);
      request(signal);
      return;
    }
    // One Ctrl-C can arrive twice: from the terminal to the whole process group, and relayed by a
    // parent (npm, tsx). Only a second press, a moment later, means "force".
    if (Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
    process.stderr.write(`\ngraphium dev: ${signal} again, forcing exit\n`);
    onForce();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested,
    request,
    get isRequested() {
      return stopping;
    },
  };
}
