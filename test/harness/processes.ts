import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendantPids, isAlive, readProcStat } from './process-tree.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Set by test/run.ts to the run's own log folder. */
export const LOG_DIR_ENV = 'GRAPHIUM_TEST_LOG_DIR';
export const LOG_DIR = process.env[LOG_DIR_ENV] ?? join(REPO_ROOT, '.tmp', 'logs');

/** A Graphium process (agent, orchestrator, api) started the way a user starts it, with its log kept. */
export class ManagedProcess {
  private output = '';
  private waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  /** Set by `stop`, `kill` and `expectExit`: an exit after it is no surprise. */
  private exitExpected = false;
  readonly exited: Promise<number | null>;
  /**
   * Rejects, naming the process and quoting its last log lines, when it exits without `stop`,
   * `kill` or `expectExit` asking for it (a crash, an OOM kill, a fatal V8 error); never resolves.
   * `whileRunning` races waits against it, so nothing waits for a dead process's work.
   */
  readonly died: Promise<never>;
  readonly logFile: string;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    mkdirSync(LOG_DIR, { recursive: true });
    this.logFile = join(LOG_DIR, `${name}.log`);
    const file = createWriteStream(this.logFile, { flags: 'a' });
    // Per stream, the unfinished last line waits for the rest of it: a pipe may split a line.
    const onStream = () => {
      let partial = '';
      return (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        file.write(text);
        this.output += text;
        if (this.output.length > 2_000_000) this.output = this.output.slice(-1_000_000);
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const waiter of [...this.waiters]) {
          const match = lines.find((line) => waiter.pattern.test(line));
          if (match) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve(match);
          }
        }
      };
    };
    child.stdout?.on('data', onStream());
    child.stderr?.on('data', onStream());
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.died = new Promise<never>((_, reject) => {
      child.once('exit', (code, signal) => {
        if (this.exitExpected) return;
        const how = signal ? `killed by ${signal}` : `exit code ${code}`;
        const fail = () =>
          reject(new ProcessDiedError(`${this.name} (pid ${child.pid}) exited unexpectedly (${how})`, this));
        // Its last lines (a fatal error's report) may still be in the pipes: 'close' comes after them.
        const timer = setTimeout(fail, 1_000);
        child.once('close', () => {
          clearTimeout(timer);
          fail();
        });
      });
    });
    // Nobody may be racing it when it rejects.
    this.died.catch(() => {});
  }

  /** The test is about to make it exit (a wrong configuration, say): `died` stays pending. */
  expectExit(): void {
    this.exitExpected = true;
  }

  get logs(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first log line matching `pattern` (also one already printed). */
  waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const seen = this.output.split('\n').find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(
            `${this.name}: no log line matching ${pattern} within ${timeoutMs} ms; tail:\n${this.tail()}`,
          ),
        );
      }, timeoutMs);
      const done = (line: string) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.exited.then((code) => {
        if (this.waiters.some((w) => w.resolve === done)) {
          clearTimeout(timer);
          reject(new Error(`${this.name} exited (${code}) before logging ${pattern}; tail:\n${this.tail()}`));
        }
      });
      this.waiters.push({ pattern, resolve: done });
    });
  }

  tail(lines = 30): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** Graceful stop (SIGTERM), escalated to SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    this.exitExpected = true;
    if (!this.running) return this.child.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  async kill(): Promise<void> {
    this.exitExpected = true;
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** A watched process exited on its own; the message ends with its last log lines. */
export class ProcessDiedError extends Error {
  constructor(
    summary: string,
    readonly process: ManagedProcess,
  ) {
    super(`${summary}; its last log lines (${process.logFile}):\n${process.tail(20)}`);
    this.name = 'ProcessDiedError';
  }
}

/**
 * `work`, unless one of `processes` exits unexpectedly first: then it rejects at once with
 * ProcessDiedError. A deploy whose orchestrator died would otherwise wait for its workflow forever.
 */
export function whileRunning<T>(processes: Iterable<ManagedProcess>, work: Promise<T>): Promise<T> {
  return Promise.race([work, ...[...processes].map((p) => p.died)]);
}

/** Runs a TypeScript entry point of this repository (`worker-agent/main.ts`) in its own Node process. */
export function startProcess(
  name: string,
  entry: string,
  env: Record<string, string | undefined>,
  /** A command that runs the process in another context, such as `ip netns exec <ns>`. */
  prefix: string[] = [],
): ManagedProcess {
  const [command, ...args] = [...prefix, process.execPath, '--import', 'tsx', entry];
  const child = spawn(command!, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ManagedProcess(name, child);
}

// A test file that outlives node:test's --test-timeout (in Node 20 it bounds the whole file) is
// ended with SIGTERM, and its `after` hooks never run: everything it started (a Temporal server,
// daemons, agents, an orchestrator) would go on running, with their ports, daemons and CPU, long
// after the run. So a test file's process stops what it started on its way out: on SIGTERM or
// SIGINT the teardowns registered here (bounded), then every descendant still alive; on any exit,
// SIGKILL to whatever is left. Only in node:test's file processes (NODE_TEST_CONTEXT), never in the
// runner, which stops its own infrastructure.

/** How long the registered teardowns may take after a signal, before the rest is killed. */
const SIGNAL_TEARDOWN_MS = 60_000;
const teardowns = new Set<() => Promise<void> | void>();

/**
 * Registers what `after` would do, for a file ended by a signal before its hooks run; returns the
 * function that unregisters it (call it once `after` has done the work itself).
 */
export function onSignalTeardown(teardown: () => Promise<void> | void): () => void {
  teardowns.add(teardown);
  return () => {
    teardowns.delete(teardown);
  };
}

/**
 * SIGTERM to this process's children (a dockerd stops its own containerd and containers), SIGCONT
 * to every descendant (a frozen one cannot act on it), SIGKILL to all those left after `graceMs`.
 */
export async function stopDescendants(graceMs: number): Promise<void> {
  const signal = (pids: number[], name: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, name);
      } catch {
        // Gone already.
      }
    }
  };
  const pids = descendantPids(process.pid);
  signal(
    pids.filter((pid) => Number(readProcStat(`/proc/${pid}/stat`)?.fields[1]) === process.pid),
    'SIGTERM',
  );
  signal(pids, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(isAlive)) await new Promise((r) => setTimeout(r, 100));
  signal(descendantPids(process.pid), 'SIGKILL');
}

function stopEverythingOnExit(): void {
  let ending = false;
  const onSignal = async (name: NodeJS.Signals, code: number) => {
    if (ending) return;
    ending = true;
    process.stderr.write(`graphium test process ${process.pid}: ${name}: stopping what it started\n`);
    const bound = new Promise((resolve) => setTimeout(resolve, SIGNAL_TEARDOWN_MS).unref());
    await Promise.race([Promise.allSettled([...teardowns].map(async (teardown) => teardown())), bound]);
    await stopDescendants(15_000);
    process.exit(code);
  };
  process.on('SIGTERM', () => void onSignal('SIGTERM', 143));
  process.on('SIGINT', () => void onSignal('SIGINT', 130));
  process.on('exit', () => {
    for (const pid of descendantPids(process.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  });
}

if (process.env.NODE_TEST_CONTEXT) stopEverythingOnExit();
