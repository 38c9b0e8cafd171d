import { randomUUID } from 'node:crypto';
import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../context.js';
import { formatTable, formatWhen } from '../format.js';
import { watchDeployment } from '../watch.js';

const modes = ['report', 'repair', 'default'] as const;

function mode(value: string): (typeof modes)[number] {
  if (!(modes as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${modes.join(', ')}`);
  }
  return value as (typeof modes)[number];
}

interface DriftFlags {
  check?: boolean;
  repair?: boolean;
  mode?: (typeof modes)[number];
  json?: boolean;
}

export function registerDriftCommand(program: Command, context: CliContext): void {
  program
    .command('drift')
    .description(
      'show what the last reconcile found on the stack’s hosts (missing, changed, stopped… containers)',
    )
    .argument('<stack>', 'stack name or id')
    .option('--check', 'reconcile now (deployer) and follow it, then show what it found')
    .option('--repair', 'with --check: repair this time, whatever the stack’s setting')
    .option(
      '--mode <mode>',
      'set whether scheduled reconciles repair the stack: report, repair, or default (its Compose file’s x-graphium)',
      mode,
    )
    .option('--json', 'print the API answer as JSON')
    .addHelpText(
      'after',
      '\nReconcile runs for every stack on a schedule (GRAPHIUM_RECONCILE_INTERVAL on the orchestrator).\n\n' +
        'Examples:\n  graphium drift shop\n  graphium drift shop --check\n  graphium drift shop --mode repair',
    )
    .action(async (stack: string, flags: DriftFlags) => {
      const api = context.api();
      if (flags.mode) {
        const setting = await api.setReconcileMode(stack, flags.mode === 'default' ? null : flags.mode);
        context.note(`stack ${stack}: reconcile ${setting.mode} (${setting.source})`);
      }
      if (flags.check) {
        const started = await api.startOperation(stack, 'reconcile', {
          options: flags.repair ? { repair: true } : undefined,
          idempotencyKey: randomUUID(),
        });
        const final = await watchDeployment(context, started.deploymentId, `reconcile ${stack}`, {
          json: flags.json,
        });
        if (!final) return;
      }
      const drift = await api.getDrift(stack);
      if (flags.json) return context.json(drift);
      const setting = `reconcile: ${drift.reconcile.mode} (${drift.reconcile.source})`;
      if (!drift.checkedAt) {
        context.print(`stack ${stack} was not reconciled yet; ${setting}`);
        return;
      }
      context.print(
        `stack ${stack} checked ${formatWhen(drift.checkedAt)} against version ${drift.version ?? '-'}; ${setting}`,
      );
      if (drift.items.length === 0) context.print('no drift');
      else {
        context.print(
          formatTable(
            ['HOST', 'CONTAINER', 'KIND', 'DETAIL'],
            drift.items.map((item) => [item.hostId, item.container, item.kind, item.detail ?? '']),
          ),
        );
      }
      if (drift.repair?.deploymentId) context.print(`repair: deployment ${drift.repair.deploymentId}`);
      else if (drift.repair?.error) context.print(`repair not started: ${drift.repair.error}`);
    });
}
