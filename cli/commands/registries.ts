import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { formatTable, formatWhen } from '../format.js';
import { readAll } from '../read-input.js';

export function registerRegistryCommands(program: Command, context: CliContext): void {
  const registry = program.command('registry').description('credentials agents pull images with (admin)');

  registry
    .command('login')
    .description('store the credentials of a registry host, replacing any it had (admin)')
    .argument('<host>', 'the registry host as image names use it, e.g. ghcr.io or registry.local:5000')
    .requiredOption('-u, --username <name>', 'the user to pull as')
    // Like `docker login`: a password in argv would stay in the shell history and in `ps`.
    .requiredOption('--password-stdin', 'read the password (or token) from standard input')
    .addHelpText(
      'after',
      '\nExample:\n  echo "$GHCR_TOKEN" | graphium registry login ghcr.io -u ci-bot --password-stdin',
    )
    .action(async (host: string, options: { username: string }) => {
      const password = (await readAll(context.stdin)).replace(/\r?\n$/, '');
      if (!password) throw new UsageError('no password on standard input');
      const saved = await context.api().putRegistry({ host, username: options.username, password });
      context.print(`registry ${saved.host}: agents pull as ${saved.username}`);
    });

  registry
    .command('list')
    .description('registry hosts with stored credentials (admin; never passwords)')
    .option('--json', 'print the API answer as JSON')
    .action(async (options: { json?: boolean }) => {
      const answer = await context.api().listRegistries();
      if (options.json) return context.json(answer);
      if (answer.items.length === 0) return context.note('no registry credentials stored');
      context.print(
        formatTable(
          ['HOST', 'USERNAME', 'UPDATED'],
          answer.items.map((r) => [r.host, r.username, formatWhen(r.updatedAt)]),
        ),
      );
    });

  registry
    .command('logout')
    .description('forget the credentials of a registry host (admin)')
    .argument('<host>')
    .action(async (host: string) => {
      await context.api().removeRegistry(host);
      context.print(`registry ${host}: credentials removed`);
    });
}
