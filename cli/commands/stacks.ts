import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Stack } from '../api-client.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { formatTable, formatWhen } from '../format.js';
import { readAll } from '../read-input.js';

/** The Compose file as text: `-` reads standard input, so `generate | graphium stack create -f -` works. */
async function readCompose(path: string, stdin: NodeJS.ReadableStream): Promise<string> {
  if (path === '-') return readAll(stdin);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

function describeStack(stack: Stack): string {
  return `stack ${stack.name} at version ${stack.version} (services: ${stack.services.join(', ') || 'none'})`;
}

export function registerStackCommands(program: Command, context: CliContext): void {
  const stack = program.command('stack').description('create and update stacks from Compose files');

  stack
    .command('create')
    .description('create a stack from a Compose file (deployer)')
    .requiredOption('-f, --file <path>', 'the Compose file (YAML or JSON); "-" reads standard input')
    .option('--name <name>', 'the stack name (default: the Compose top-level name:)')
    .option('--json', 'print the API answer as JSON')
    .addHelpText('after', '\nExample:\n  graphium stack create -f compose.yml --name shop')
    .action(async (options: { file: string; name?: string; json?: boolean }) => {
      const yaml = await readCompose(options.file, context.stdin);
      const created = await context.api().createStack(yaml, options.name);
      if (options.json) return context.json(created);
      context.print(`created ${describeStack(created)}`);
      context.note(`deploy it with: graphium deploy ${created.name}`);
    });

  stack
    .command('update')
    .description('store a new version of a stack from a Compose file (deployer)')
    .argument('<stack>', 'stack name or id')
    .requiredOption('-f, --file <path>', 'the Compose file (YAML or JSON); "-" reads standard input')
    .option('--json', 'print the API answer as JSON')
    .addHelpText('after', '\nExample:\n  graphium stack update shop -f compose.yml && graphium deploy shop')
    .action(async (name: string, options: { file: string; json?: boolean }) => {
      const yaml = await readCompose(options.file, context.stdin);
      const updated = await context.api().updateStack(name, yaml);
      if (options.json) return context.json(updated);
      // An identical document creates no version: the API answers with the current one.
      context.print(describeStack(updated));
    });

  program
    .command('stacks')
    .description('list stacks')
    .option('--json', 'print the API answer as JSON')
    .action(async (options: { json?: boolean }) => {
      const answer = await context.api().listStacks();
      if (options.json) return context.json(answer);
      const { items } = answer;
      if (items.length === 0) {
        return context.note('no stacks; create one with: graphium stack create -f compose.yml --name <name>');
      }
      context.print(
        formatTable(
          ['NAME', 'VERSION', 'SERVICES', 'UPDATED', 'ID'],
          items.map((s) => [s.name, String(s.version), s.services.join(','), formatWhen(s.updatedAt), s.id]),
        ),
      );
    });
}
