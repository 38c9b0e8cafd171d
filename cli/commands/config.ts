import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ComposeError } from '../../compose/index.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { parseVariableFlags, readProject } from '../project-files.js';

// `graphium config`: what `docker compose config` is to Compose. Offline (no API, no token): it runs
// the same loader the API runs and prints the stack Graphium would deploy, or every reason it cannot.

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface ConfigOptions {
  file?: string[];
  envFile?: string[];
  profile?: string[];
  var?: string[];
  json?: boolean;
}

export function registerConfigCommand(program: Command, context: CliContext): void {
  program
    .command('config')
    .description('check a Compose project offline and print the stack Graphium would deploy')
    .option('-f, --file <path>', 'a Compose file; repeat to merge several (default: compose.yaml)', collect)
    .option('--env-file <path>', 'a file of variables instead of .env; repeat for several', collect)
    .option('--profile <name>', 'a profile to activate; repeat for several', collect)
    .option('--var <KEY=VALUE>', 'a stack variable (wins over .env, as the shell does for Compose)', collect)
    .option('--json', 'print JSON instead of YAML')
    .addHelpText(
      'after',
      '\nWarnings go to stderr. Exit 0: Graphium can deploy it; 1: it cannot (every issue is listed).\n' +
        'Only --var and the env files give variables: the shell environment is not read, as the API does not.\n' +
        'Example:\n  graphium config -f compose.yaml -f compose.prod.yaml --profile worker',
    )
    .action((options: ConfigOptions) => {
      let project: ReturnType<typeof readProject>;
      try {
        project = readProject({
          files: options.file ?? [],
          envFiles: options.envFile ?? [],
          profiles: options.profile ?? [],
          variables: parseVariableFlags(options.var),
        });
      } catch (error) {
        if (!(error instanceof ComposeError)) throw error;
        context.note(
          `graphium: the project cannot be deployed (${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}):`,
        );
        for (const issue of error.issues)
          context.note(`  - ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
        context.exitCode = ExitCode.failed;
        return;
      }
      const { spec, warnings, adminOnly } = project.loaded;
      for (const warning of warnings)
        context.note(`warning: ${warning.path ? `${warning.path}: ` : ''}${warning.message}`);
      for (const entry of adminOnly)
        context.note(`note: ${entry.path}: ${entry.message} (a deployer's token will be refused)`);
      if (options.json) context.json(spec);
      else context.out.write(stringify(spec, { lineWidth: 0 }));
    });
}
