import { randomUUID } from 'node:crypto';
import { type Command, InvalidArgumentError } from 'commander';
import { type BuiltInOperation, builtInOperations } from '../../contracts/vocabulary.js';
import type { CliContext } from '../context.js';
import { watchDeployment } from '../watch.js';
import { printWarnings } from './stacks.js';

const descriptions: Record<BuiltInOperation, string> = {
  deploy: 'deploy a stack version onto its hosts (deployer)',
  stop: 'stop every container of a stack, keeping them (deployer)',
  start: 'start the stopped containers of a stack again (deployer)',
  delete:
    'remove every container and network of a stack on every host, then the stack; its volumes only with --volumes (deployer)',
};

interface StartFlags {
  follow: boolean;
  version?: number;
  pull?: boolean;
  volumes?: boolean;
  idempotencyKey?: string;
  option?: Record<string, unknown>;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a version number (1, 2, …)');
  return n;
}

/** `--option watch=90s --option services='["web"]'`: JSON where the value reads as JSON, else text. */
function collectOption(value: string, options: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError(`expected key=value, got ${JSON.stringify(value)}`);
  const raw = value.slice(eq + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // plain text, as written
  }
  return { ...options, [value.slice(0, eq)]: parsed };
}

const FOLLOW_HELP =
  '\nFollows the operation until it ends; exit 0 when it succeeded, 1 when it failed, rolled back or was cancelled.';

function withStartFlags(command: Command): Command {
  return command
    .option('--no-follow', 'print the deployment id and return at once instead of following progress')
    .option(
      '--idempotency-key <key>',
      'repeat-safe request id, e.g. your CI job id: a repeat starts nothing new (default: a fresh one)',
    );
}

/** What the loader warned about the version a deploy is about to place: printed before it starts. */
async function warnAboutVersion(context: CliContext, stack: string, version: number | undefined) {
  const api = context.api();
  const { warnings } =
    version === undefined ? await api.getStack(stack) : await api.getStackVersion(stack, version);
  printWarnings(context, warnings);
}

async function startAndFollow(
  context: CliContext,
  stack: string,
  type: string,
  flags: StartFlags,
  placesVersion?: boolean,
) {
  const places =
    placesVersion ??
    (await context.api().listOperationTypes()).items.find((t) => t.name === type)?.placesVersion;
  if (places) await warnAboutVersion(context, stack, flags.version);
  const started = await context.api().startOperation(stack, type, {
    version: flags.version,
    options:
      flags.pull || flags.volumes
        ? {
            ...flags.option,
            ...(flags.pull ? { pull: true } : {}),
            ...(flags.volumes ? { volumes: true } : {}),
          }
        : flags.option,
    // A fresh key still lets the client resend safely when the first answer is lost.
    idempotencyKey: flags.idempotencyKey ?? randomUUID(),
  });
  const label = `${type} ${stack}`;
  if (!flags.follow) {
    context.print(started.deploymentId);
    context.note(
      `${label} started: workflow ${started.workflowId}; follow it with: graphium status ${started.deploymentId} --follow`,
    );
    return;
  }
  context.print(`${label}: deployment ${started.deploymentId}, workflow ${started.workflowId}`);
  await watchDeployment(context, started.deploymentId, label);
}

export function registerOperationCommands(program: Command, context: CliContext): void {
  for (const operation of builtInOperations) {
    const example = `graphium ${operation} shop${operation === 'deploy' ? ' --version 3' : ''}`;
    const command = withStartFlags(
      program.command(operation).description(descriptions[operation]).argument('<stack>', 'stack name or id'),
    ).addHelpText('after', `${FOLLOW_HELP}\n\nExample:\n  ${example}`);
    if (operation === 'delete') {
      command.option(
        '--volumes',
        "also remove the stack's volumes and data directories on every host (they hold data: kept by default)",
      );
    }
    if (operation === 'deploy') {
      command
        .option('--version <n>', 'the stack version to deploy (default: the current one)', positiveInteger)
        .option('--pull', 'pull every image again, even a tag the host already has (such as :latest)');
    }
    command.action((stack: string, flags: StartFlags) =>
      startAndFollow(context, stack, operation, flags, operation === 'deploy'),
    );
  }

  withStartFlags(
    program
      .command('run')
      .description('start an operation of any type (graphium types lists them), e.g. canary or blue-green')
      .argument('<type>', 'the operation type')
      .argument('<stack>', 'stack name or id')
      .option(
        '--version <n>',
        'the stack version, for types that place one (default: the current one)',
        positiveInteger,
      )
      .option(
        '-o, --option <key=value>',
        'an option of the type; repeat for more (JSON values accepted)',
        collectOption,
      ),
  )
    .addHelpText(
      'after',
      `${FOLLOW_HELP}\n\nExample:\n  graphium run canary shop --option replicas=2 --option watch=2m`,
    )
    .action((type: string, stack: string, flags: StartFlags) => startAndFollow(context, stack, type, flags));
}
