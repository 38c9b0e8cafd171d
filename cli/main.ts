import { Command, CommanderError } from 'commander';
import { ApiRequestError } from './api-client.js';
import { registerActionCommands } from './commands/actions.js';
import { registerConfigCommand } from './commands/config.js';
import { registerDeploymentCommands } from './commands/deployments.js';
import { registerDriftCommand } from './commands/drift.js';
import { registerHostCommands } from './commands/hosts.js';
import { registerOperationCommands } from './commands/operations.js';
import { registerRegistryCommands } from './commands/registries.js';
import { registerStackCommands } from './commands/stacks.js';
import { registerTokenCommands } from './commands/tokens.js';
import { registerVariableCommands } from './commands/variables.js';
import { DEFAULT_API_URL } from './config.js';
import { CliContext, type Output } from './context.js';
import { ExitCode, UsageError } from './exit-codes.js';

// The `graphium` command line: builds the commander program, runs one command, and turns every
// failure into a one-line message and an exit code (never a stack trace).

export interface CliIO {
  out: Output;
  err: Output;
  stdin: NodeJS.ReadableStream;
}

const exitCodeHelp = `
Configuration:
  GRAPHIUM_API_URL   the API (default ${DEFAULT_API_URL}); --api-url wins
  GRAPHIUM_TOKEN     bearer token, required for every command but config; --token wins

Exit codes:
  0    done; a followed operation succeeded
  1    the operation failed, rolled back or was cancelled
  2    usage or configuration error (bad flags, missing token, unreadable file)
  3    the API refused the request or could not be reached
  130  interrupted with Ctrl-C while following (the operation goes on)`;

export function buildProgram(io: CliIO): { program: Command; context: CliContext } {
  const program = new Command('graphium');
  const context = new CliContext(program, io.out, io.err, io.stdin);
  program
    .description('Deploy Compose stacks onto many Docker hosts through the Graphium API')
    .option('--api-url <url>', `the Graphium API (env GRAPHIUM_API_URL, default ${DEFAULT_API_URL})`)
    .option('--token <token>', 'API bearer token (env GRAPHIUM_TOKEN)')
    // Throw instead of exiting, so every usage error ends in exit code 2 (commander's own is 1).
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out.write(text),
      writeErr: (text) => io.err.write(text),
    })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', exitCodeHelp);
  registerHostCommands(program, context);
  registerStackCommands(program, context);
  registerOperationCommands(program, context);
  registerDeploymentCommands(program, context);
  registerActionCommands(program, context);
  registerDriftCommand(program, context);
  registerTokenCommands(program, context);
  registerVariableCommands(program, context);
  registerRegistryCommands(program, context);
  registerConfigCommand(program, context);
  return { program, context };
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const { program, context } = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return context.exitCode;
  } catch (error) {
    return reportError(error, io.err);
  }
}

function reportError(error: unknown, err: Output): number {
  // commander has printed its own message already; --help ends here with code 0.
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  if (error instanceof UsageError) {
    err.write(`graphium: ${error.message}\n`);
    return ExitCode.usage;
  }
  if (error instanceof ApiRequestError) {
    const status = error.status === 0 ? '' : ` (HTTP ${error.status} ${error.code})`;
    err.write(`graphium: ${error.message}${status}\n`);
    // The message often is the first issue already; list only what it does not say.
    for (const issue of issuesOf(error.details).filter((text) => !error.message.includes(text))) {
      err.write(`  - ${issue}\n`);
    }
    // A 409 names the operation already running on the stack: say how to watch it.
    const running = (error.details as { deploymentId?: unknown } | undefined)?.deploymentId;
    if (typeof running === 'string') err.write(`  follow it with: graphium status ${running} --follow\n`);
    return ExitCode.api;
  }
  err.write(`graphium: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  return ExitCode.failed;
}

/** 400 answers list what was wrong in `details.issues: [{path, message}]`. */
function issuesOf(details: unknown): string[] {
  const issues = (details as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.map((issue: { path?: unknown; message?: unknown }) => {
    const path = Array.isArray(issue.path) ? issue.path.join('.') : issue.path;
    return path ? `${path}: ${issue.message}` : String(issue.message);
  });
}
