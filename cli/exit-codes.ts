import { type DeploymentStatus, isTerminalStatus } from '../contracts/vocabulary.js';

// One place for what the process exit status means, so scripts and CI can branch on it.

export const ExitCode = {
  /** The command did what it was asked; a followed operation succeeded. */
  ok: 0,
  /** The operation ended failed, rolled_back or cancelled (or the CLI hit an unexpected error). */
  failed: 1,
  /** Bad flags or arguments, a missing token, an unreadable file: nothing was sent. */
  usage: 2,
  /** The API refused the request or could not be reached. */
  api: 3,
  /** Interrupted (Ctrl-C) while following: the operation itself goes on. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake in how the CLI was called or configured (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** pending and running count as 0: the query itself worked, and nothing has failed yet. */
export function exitCodeForStatus(status: DeploymentStatus): ExitCode {
  return status === 'succeeded' || !isTerminalStatus(status) ? ExitCode.ok : ExitCode.failed;
}
