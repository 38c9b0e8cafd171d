import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatTable } from '../format.js';
import { watchDeployment } from '../watch.js';

// The actions a running deployment may await (promote or abort a canary, resume or abort a paused
// rolling update, roll back a blue-green switch), cancel, and the list of operation types.

const actions: Record<string, string> = {
  promote: 'promote a canary: roll the new version out to every replica',
  abort: 'abort a canary or a paused update: remove the new version, keep the old one as it was',
  resume: 'resume a paused rolling update',
  rollback: 'roll a blue-green switch back to the previous version, while its rollback window is open',
};

export function registerActionCommands(program: Command, context: CliContext): void {
  for (const [action, description] of Object.entries(actions)) {
    program
      .command(action)
      .description(`${description} (the action's role, usually deployer)`)
      .argument('<deploymentId>')
      .option('--no-follow', 'return once the deployment accepted the action instead of following it')
      .action(async (deploymentId: string, options: { follow: boolean }) => {
        const after = await context.api().takeAction(deploymentId, action);
        context.print(`${action}: accepted by ${after.operation} ${after.stack} (${after.phase})`);
        if (options.follow) await watchDeployment(context, deploymentId, `${after.operation} ${after.stack}`);
      });
  }

  program
    .command('cancel')
    .description('cancel a running operation; a deploy rolls back what it created (deployer)')
    .argument('<deploymentId>')
    .option('--no-follow', 'return once the cancel was requested instead of following the deployment')
    .action(async (deploymentId: string, options: { follow: boolean }) => {
      const answer = await context.api().cancelDeployment(deploymentId);
      context.print(`cancel requested: workflow ${answer.workflowId} (was ${answer.status})`);
      if (options.follow) await watchDeployment(context, deploymentId, `cancel ${answer.workflowId}`);
    });

  program
    .command('types')
    .description('the operation types the API can start: their role, options and actions')
    .option('--json', 'print the API answer as JSON, with each type’s options as JSON Schema')
    .action(async (options: { json?: boolean }) => {
      const answer = await context.api().listOperationTypes();
      if (options.json) return context.json(answer);
      context.print(
        formatTable(
          ['TYPE', 'ROLE', 'OPTIONS', 'ACTIONS', 'DESCRIPTION'],
          answer.items.map((type) => [
            type.name,
            type.role,
            Object.keys((type.options.properties as Record<string, unknown> | undefined) ?? {}).join(', ') ||
              '-',
            type.actions.map((a) => a.name).join(', ') || '-',
            type.description,
          ]),
        ),
      );
    });
}
