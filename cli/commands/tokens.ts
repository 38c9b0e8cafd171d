import { type Command, Option } from 'commander';
import { type TokenRole, tokenRoles } from '../../contracts/vocabulary.js';
import type { CliContext } from '../context.js';

export function registerTokenCommands(program: Command, context: CliContext): void {
  const token = program.command('token').description('API tokens (admin)');

  token
    .command('create')
    .description('create an API token (admin); its secret is printed once, on stdout')
    .argument('<name>', 'who or what uses it, e.g. ci-deployer')
    .addOption(
      new Option('--role <role>', 'what it may do (codec: only decode payloads for the Temporal UI)')
        .choices(tokenRoles)
        .makeOptionMandatory(),
    )
    .option('--json', 'print the API answer as JSON')
    .addHelpText('after', '\nExample:\n  export GRAPHIUM_TOKEN=$(graphium token create ci --role deployer)')
    .action(async (name: string, options: { role: TokenRole; json?: boolean }) => {
      const created = await context.api().createToken(name, options.role);
      if (options.json) return context.json(created);
      // Only the secret on stdout, so `$(graphium token create …)` captures exactly it.
      context.note(`token ${created.name} (role ${created.role}, id ${created.id}); store the secret now:`);
      context.print(created.token);
    });
}
