import type { Command } from 'commander';
import { isTerminalStatus } from '../../contracts/vocabulary.js';
import type { Deployment } from '../api-client.js';
import type { CliContext } from '../context.js';
import { exitCodeForStatus } from '../exit-codes.js';
import { formatTable, formatWhen } from '../format.js';
import { watchDeployment } from '../watch.js';

function detailLines(d: Deployment): string[] {
  const fields: [string, string][] = [
    ['deployment', d.id],
    ['operation', d.version ? `${d.operation} (version ${d.version})` : d.operation],
    ['stack', d.stack === d.stackId ? d.stack : `${d.stack} (${d.stackId})`],
    ['status', `${d.status} (${d.progress}%)`],
    ...(d.error ? [['error', d.error] as [string, string]] : []),
    ['workflow', d.runId ? `${d.workflowId} (run ${d.runId})` : d.workflowId],
    ['requested by', d.requestedBy],
    ['started', formatWhen(d.startedAt)],
    ['finished', formatWhen(d.finishedAt)],
  ];
  const lines = fields.map(([name, value]) => `${name.padEnd(13)}${value}`);
  if (d.containers.length === 0) return [...lines, '', 'no containers'];
  const table = formatTable(
    ['HOST', 'CONTAINER', 'STATUS', 'ATTEMPTS', 'CONTAINER ID', 'ERROR'],
    d.containers.map((c) => [
      c.hostId,
      c.name,
      c.status,
      String(c.attempts),
      c.containerId?.slice(0, 12) ?? '-',
      c.error ?? '',
    ]),
  );
  return [...lines, '', table];
}

export function registerDeploymentCommands(program: Command, context: CliContext): void {
  program
    .command('status')
    .description('show one deployment; the exit code follows its status')
    .argument('<deploymentId>', 'the id that deploy, stop, start and delete print')
    .option('--json', 'print the API answer as JSON')
    .option('--follow', 'follow it until it ends, as deploy does')
    .addHelpText(
      'after',
      '\nExit 0 when it succeeded or still runs, 1 when it failed, rolled back or was cancelled.' +
        '\n\nExample:\n  graphium status 4f0c…  --follow',
    )
    .action(async (id: string, options: { json?: boolean; follow?: boolean }) => {
      const deployment = await context.api().getDeployment(id);
      if (options.json && !options.follow) {
        context.json(deployment);
        context.exitCode = exitCodeForStatus(deployment.status);
        return;
      }
      if (options.follow && !isTerminalStatus(deployment.status)) {
        // With --json, stdout carries the final JSON alone: the progress display goes to stderr.
        const final = await watchDeployment(context, id, `${deployment.operation} ${deployment.stack}`, {
          json: !!options.json,
        });
        if (final && options.json) context.json(final);
        return;
      }
      if (options.json) context.json(deployment);
      else context.print(...detailLines(deployment));
      context.exitCode = exitCodeForStatus(deployment.status);
    });

  program
    .command('deployments')
    .description('list deployments (every operation: deploy, stop, start, delete), newest first')
    .option('--stack <stack>', 'only this stack (name or id)')
    .option('--json', 'print the API answer as JSON')
    .addHelpText('after', '\nExample:\n  graphium deployments --stack shop')
    .action(async (options: { stack?: string; json?: boolean }) => {
      // The API takes a stack name or id here, deleted stacks included.
      const answer = await context.api().listDeployments(options.stack);
      if (options.json) return context.json(answer);
      const { items } = answer;
      if (items.length === 0) return context.note('no deployments');
      context.print(
        formatTable(
          ['ID', 'STACK', 'OPERATION', 'STATUS', 'PROGRESS', 'REQUESTED BY', 'STARTED'],
          items.map((d) => [
            d.id,
            d.stack,
            d.operation,
            d.status,
            `${d.progress}%`,
            d.requestedBy,
            formatWhen(d.startedAt),
          ]),
        ),
      );
    });
}
