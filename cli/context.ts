import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { type CliConfig, colorEnabled, resolveConfig } from './config.js';
import { ExitCode as Exit, type ExitCode } from './exit-codes.js';

// What every command needs: the API client (built only when a command runs, so `--help` works
// without a token), where to print, and the exit code it decided on.

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class CliContext {
  exitCode: ExitCode = Exit.ok;
  private client: ApiClient | undefined;

  constructor(
    private readonly program: Command,
    readonly out: Output,
    readonly err: Output,
    readonly stdin: NodeJS.ReadableStream,
  ) {}

  /** Resolved from the global flags and the environment on first use; throws UsageError without a token. */
  api(): ApiClient {
    this.client ??= new ApiClient(this.config());
    return this.client;
  }

  config(): CliConfig {
    return resolveConfig(this.program.opts<{ apiUrl?: string; token?: string }>());
  }

  /** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
  get color(): boolean {
    return !!this.out.isTTY && colorEnabled();
  }

  print(...lines: string[]): void {
    for (const line of lines) this.out.write(`${line}\n`);
  }

  /** Notes for a person (how to go on, what is not shown again) go to stderr, keeping stdout for data. */
  note(...lines: string[]): void {
    for (const line of lines) this.err.write(`${line}\n`);
  }

  json(value: unknown): void {
    this.out.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
