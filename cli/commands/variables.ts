import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.js';
import { formatTable } from '../format.js';

/** `KEY=VALUE` → [KEY, VALUE]; the value may itself hold `=`. */
function assignment(value: string, previous: [string, string][] = []): [string, string][] {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError(`expected NAME=VALUE, got ${JSON.stringify(value)}`);
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}

export function registerVariableCommands(program: Command, context: CliContext): void {
  const vars = program
    .command('vars')
    .description("a stack's variables: what $VAR means in its Compose files (values hidden from viewers)");

  vars
    .command('list')
    .argument('<stack>', 'stack name or id')
    .option('--json', 'print the API answer as JSON')
    .action(async (stack: string, options: { json?: boolean }) => {
      const answer = await context.api().getVariables(stack);
      if (options.json) return context.json(answer);
      const entries = Object.entries(answer.variables);
      if (entries.length === 0) return context.note(`stack ${stack} has no variables`);
      context.print(formatTable(['NAME', 'VALUE'], entries));
    });

  vars
    .command('set')
    .description('set variables, keeping the others (deployer); store a new version for them to take effect')
    .argument('<stack>', 'stack name or id')
    .argument('<assignments...>', 'NAME=VALUE pairs', (value: string, previous: [string, string][]) =>
      assignment(value, previous),
    )
    .addHelpText('after', '\nExample:\n  graphium vars set shop TAG=1.4 DB_USER=shop')
    .action(async (stack: string, assignments: [string, string][]) => {
      const { variables } = await context.api().getVariables(stack);
      const saved = await context
        .api()
        .putVariables(stack, { ...variables, ...Object.fromEntries(assignments) });
      context.print(`stack ${stack}: ${Object.keys(saved.variables).length} variables`);
    });

  vars
    .command('unset')
    .description('remove variables (deployer)')
    .argument('<stack>', 'stack name or id')
    .argument('<names...>')
    .action(async (stack: string, names: string[]) => {
      const { variables } = await context.api().getVariables(stack);
      for (const name of names) delete variables[name];
      const saved = await context.api().putVariables(stack, variables);
      context.print(`stack ${stack}: ${Object.keys(saved.variables).length} variables`);
    });
}
