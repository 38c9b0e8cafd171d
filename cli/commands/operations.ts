import { randomUUID } from 'node:crypto';
import { type Command, InvalidArgumentError } from 'commander';
import { type Operation, operations } from '../../contracts/vocabulary.js';
import type { CliContext } from '../context.js';
import { watchDeployment } from '../watch.js';

const descriptions: Record<Operation, string> = {
  deploy: 'deploy a stack version onto its hosts (deployer)',
  stop: 'stop every container of a stack, keeping them (deployer)',
  start: 'start the stopped containers of a stack again (deployer)',
  delete: 'remove every container of a stack on every host, then the stack (deployer)',
};

interface OperationOptions {
  follow: boolean;
  version?: number;
  idempotencyKey?: string;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a version number (1, 2, …)');
  return n;
}

export function registerOperationCommands(program: Command, context: CliContext): void {
  for (const operation of operations) {
    const command = program
      .command(operation)
      .description(descriptions[operation])
      .argument('<stack>', 'stack name or id')
      .option('--no-follow', 'print the deployment id and return at once instead of following progress')
      .option(
        '--idempotency-key <key>',
        'repeat-safe request id, e.g. your CI job id: a repeat starts nothing new (default: a fresh one)',
      )
      .addHelpText(
        'after',
        `\nFollows the operation until it ends; exit 0 when it succeeded, 1 when it failed,` +
          ` rolled back or was cancelled.\n\nExample:\n  graphium ${operation} shop${operation === 'deploy' ? ' --version 3' : ''}`,
      );
    if (operation === 'deploy') {
      command.option(
        '--version <n>',
        'the stack version to deploy (default: the current one)',
        positiveInteger,
      );
    }
    command.action(async (stack: string, options: OperationOptions) => {
      const started = await context.api().startOperation(stack, operation, {
        version: options.version,
        // A fresh key still lets the client resend safely when the first answer is lost.
        idempotencyKey: options.idempotencyKey ?? randomUUID(),
      });
      const label = `${operation} ${stack}`;
      if (!options.follow) {
        context.print(started.deploymentId);
        context.note(
          `${label} started: workflow ${started.workflowId}; follow it with: graphium status ${started.deploymentId} --follow`,
        );
        return;
      }
      context.print(`${label}: deployment ${started.deploymentId}, workflow ${started.workflowId}`);
      await watchDeployment(context, started.deploymentId, label);
    });
  }
}
