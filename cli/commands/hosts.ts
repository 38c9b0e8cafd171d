import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.js';
import { formatLabels, formatTable, formatWhen } from '../format.js';

/** `--label zone=a --label role=db` → {zone: 'a', role: 'db'}. */
function collectLabel(value: string, labels: Record<string, string>): Record<string, string> {
  const match = /^([^=\s]+)=(.*)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`expected key=value, got ${JSON.stringify(value)}`);
  return { ...labels, [match[1]!]: match[2]! };
}

export function registerHostCommands(program: Command, context: CliContext): void {
  const hosts = program
    .command('hosts')
    .description('list hosts with their agent status (online/offline), agent identity and last poll')
    .option('--json', 'print the API answer as JSON')
    .action(async (options: { json?: boolean }) => {
      const answer = await context.api().listHosts();
      if (options.json) return context.json(answer);
      const { items } = answer;
      if (items.length === 0) {
        return context.note('no hosts registered; add one with: graphium hosts add <id>');
      }
      context.print(
        formatTable(
          ['ID', 'NAME', 'STATUS', 'AGENT', 'LAST POLL', 'LABELS'],
          items.map((h) => [
            h.id,
            h.name,
            h.status,
            h.agent?.identity ?? '-',
            formatWhen(h.agent?.lastPollAt),
            formatLabels(h.labels),
          ]),
        ),
      );
    });

  hosts
    .command('add')
    .description('register a host (admin) and print the command that starts its agent')
    .argument('<id>', 'host id: lower-case letters, digits, ".", "_" or "-"')
    .option('--name <name>', 'display name (default: the id)')
    .option('--label <key=value>', 'a label for placement constraints; repeat for more', collectLabel, {})
    .option('--json', 'print the API answer as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  graphium hosts add vm1 --name "build box" --label zone=a --label role=db',
    )
    .action(async (id: string, options: { name?: string; label: Record<string, string>; json?: boolean }) => {
      const labels = Object.keys(options.label).length > 0 ? options.label : undefined;
      const host = await context.api().createHost({ id, name: options.name, labels });
      if (options.json) return context.json(host);
      context.print(
        `host ${host.id} registered (name ${host.name}, labels ${formatLabels(host.labels)})`,
        '',
        'Start its agent on that host, from a Graphium checkout:',
        `  ${host.agent.command}`,
        '',
        'or as a container:',
        `  ${host.agent.dockerCommand}`,
      );
    });
}
