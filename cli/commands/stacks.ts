import type { Command } from 'commander';
import { ComposeError } from '../../compose/index.js';
import type { Stack } from '../api-client.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { formatTable, formatWhen } from '../format.js';
import { parseVariableFlags, readProject, uploadFiles } from '../project-files.js';
import { readAll } from '../read-input.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface ProjectOptions {
  file?: string[];
  envFile?: string[];
  profile?: string[];
  var?: string[];
  json?: boolean;
}

function describeStack(stack: Stack): string {
  return `stack ${stack.name} at version ${stack.version} (services: ${stack.services.join(', ') || 'none'})`;
}

/** Warnings go to stderr: the stack version keeps them too (`warnings` in the API). */
export function printWarnings(context: CliContext, warnings: { path: string; message: string }[]): void {
  for (const warning of warnings)
    context.note(`warning: ${warning.path ? `${warning.path}: ` : ''}${warning.message}`);
}

/**
 * The body of a stack write: `-f -` sends the one document on standard input; otherwise the project
 * is read from disk the way `docker compose` reads it, and its files are uploaded. The local load only
 * finds the files (with the variables the server will use): the API loads the upload again itself.
 */
async function projectBody(context: CliContext, options: ProjectOptions, variables: Record<string, string>) {
  if (options.file?.length === 1 && options.file[0] === '-') return { compose: await readAll(context.stdin) };
  if (options.file?.includes('-'))
    throw new UsageError('"-f -" reads one document from standard input: use it alone');
  try {
    const { options: load, loaded } = readProject({
      files: options.file ?? [],
      envFiles: options.envFile,
      profiles: options.profile,
      variables,
    });
    return {
      project: {
        composeFiles: load.files,
        ...(load.envFiles ? { envFiles: load.envFiles } : {}),
        ...(load.profiles ? { profiles: load.profiles } : {}),
        files: uploadFiles(loaded),
      },
    };
  } catch (error) {
    if (!(error instanceof ComposeError)) throw error;
    // The same list `graphium config` prints: nothing is sent.
    const lines = error.issues.map((issue) => `${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
    throw new UsageError(`the project cannot be deployed:\n  - ${lines.join('\n  - ')}`);
  }
}

function withProjectOptions(command: Command): Command {
  return command
    .option(
      '-f, --file <path>',
      'a Compose file; repeat to merge several (default: compose.yaml); "-" reads one from stdin',
      collect,
    )
    .option('--env-file <path>', 'a file of variables instead of .env; repeat for several', collect)
    .option('--profile <name>', 'a profile to activate; repeat for several', collect)
    .option(
      '--var <KEY=VALUE>',
      'set a stack variable (stored with the stack; wins over .env); repeat for more',
      collect,
    )
    .option('--json', 'print the API answer as JSON');
}

export function registerStackCommands(program: Command, context: CliContext): void {
  const stack = program.command('stack').description('create and update stacks from Compose projects');

  withProjectOptions(
    stack
      .command('create')
      .description(
        'create a stack from a Compose project: its files and every file they reference (deployer)',
      )
      .option('--name <name>', 'the stack name (default: the Compose top-level name:)'),
  )
    .addHelpText(
      'after',
      '\nExample:\n  graphium stack create -f compose.yaml -f compose.prod.yaml --name shop',
    )
    .action(async (options: ProjectOptions & { name?: string }) => {
      const variables = parseVariableFlags(options.var);
      const body = await projectBody(context, options, variables);
      const created = await context
        .api()
        .createStack({ name: options.name, ...body, ...(options.var ? { variables } : {}) });
      if (options.json) return context.json(created);
      printWarnings(context, created.warnings);
      context.print(`created ${describeStack(created)}`);
      context.note(`deploy it with: graphium deploy ${created.name}`);
    });

  withProjectOptions(
    stack
      .command('update')
      .description('store a new version of a stack from its Compose project (deployer)')
      .argument('<stack>', 'stack name or id'),
  )
    .addHelpText('after', '\nExample:\n  graphium stack update shop -f compose.yaml && graphium deploy shop')
    .action(async (name: string, options: ProjectOptions) => {
      // The server loads with the stack's stored variables unless new ones are given: so does the local load.
      const variables = options.var
        ? parseVariableFlags(options.var)
        : (await context.api().getVariables(name)).variables;
      const body = await projectBody(context, options, variables);
      const updated = await context
        .api()
        .updateStack(name, { ...body, ...(options.var ? { variables } : {}) });
      if (options.json) return context.json(updated);
      printWarnings(context, updated.warnings);
      // An identical project creates no version: the API answers with the current one.
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
