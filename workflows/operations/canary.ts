import { z } from 'zod';
import { besideName } from '../../stack/names.js';
import type { ActionRequest } from '../kit/actions.js';
import type { PlannedReplica } from '../kit/inventory.js';
import { runOperation } from '../kit/lifecycle.js';
import { defineOperation } from '../kit/operation-type.js';
import { durationMs, durationOption, placementOptions } from '../kit/options.js';
import { abortedBy, Rollout } from '../kit/rollout.js';
import { withSaga } from '../kit/saga.js';
import { besideRefusal } from '../kit/traffic.js';
import type { StackOperationInput } from '../operation-types.js';
import type { OperationProgress } from '../progress-types.js';

const options = z.strictObject({
  services: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('The services to canary (default: every service whose running replicas this version changes)'),
  replicas: z.number().int().min(1).max(100).optional().describe('Canary containers per service (default 1)'),
  watch: durationOption(
    'How long each canary is watched once ready; turning unhealthy or restarting aborts (default 60s)',
  ),
  deadline: durationOption('How long to await promote or abort after the watch (default 30m)'),
  onDeadline: z.enum(['abort', 'promote']).optional().describe('What the deadline decides (default abort)'),
  ...placementOptions,
});

type CanaryOptions = z.output<typeof options>;

export const canary = defineOperation({
  name: 'canary',
  description:
    'Start the new version for a few canary replicas beside the old ones (answering to the same names), ' +
    'watch them, then await promote (roll out the rest per update_config) or abort (remove the canaries; ' +
    'the old version stays exactly as it was).',
  role: 'deployer',
  options,
  actions: {
    promote: {
      description: 'Roll the new version out to every replica and remove the canaries',
      role: 'deployer',
    },
    abort: { description: 'Remove the canaries; the old version stays exactly as it was', role: 'deployer' },
  },
  placesVersion: true,
  goalStates: ['running', 'healthy', 'completed', 'unchanged'],
  workflow: canaryWorkflow,
  refuses: ({ spec, placements, current, options }) => {
    const unknown = options?.services?.find((name) => !spec.services.some((s) => s.name === name));
    if (unknown) return `this version has no service ${unknown}`;
    // A canary runs beside a replica on its host: one fixed host port cannot serve both.
    return besideRefusal({ spec, placements, current, options }, options?.services);
  },
});

/**
 * Canary: every host is made ready for the new version; then, for each canary service, `replicas`
 * containers of the new version (`<replica>.canary-<deployment>`, with the service's aliases, so
 * they take a share of its traffic) start beside the replicas they will replace, each health-gated
 * and watched for `watch`: one that fails aborts the canary by itself. Then it awaits `promote` or
 * `abort` until `deadline` (`onDeadline` decides then). Promote rolls the version out as deploy
 * does and removes the canaries; abort, or any failure, removes them and touches nothing else.
 */
export async function canaryWorkflow(input: StackOperationInput<CanaryOptions>): Promise<OperationProgress> {
  const settings = input.options ?? {};
  return runOperation(input, canary, (op) =>
    withSaga(op, async () => {
      const rollout = new Rollout(op);
      const planned = await rollout.plan();
      const picks = canariesOf(planned, settings);
      const services = [...new Set(picks.map((p) => p.service))].join(', ');
      if (picks.length > 0) {
        op.tracker.setPhase(`starting ${picks.length} canaries of ${services} beside the running version`);
        const watchMs = durationMs(settings.watch, 60_000);
        await rollout.runner.deployAll(
          picks.map((placed) => ({
            placed,
            options: { name: besideName(placed.name, 'canary', input.deploymentId), monitorMs: watchMs },
          })),
        );
        op.tracker.setPhase(
          `canaries of ${services} healthy after a ${watchMs / 1000}s watch: promote or abort?`,
        );
        const deadlineMs = durationMs(settings.deadline, 30 * 60_000);
        const decision: ActionRequest = (await op.tracker.awaitAction(['promote', 'abort'], deadlineMs)) ?? {
          action: settings.onDeadline ?? 'abort',
          requestedBy: 'the deadline',
        };
        if (decision.action === 'abort') throw abortedBy(decision, `canary of ${services}`);
        op.tracker.setPhase(`promoted by ${decision.requestedBy}: rolling ${services} out`);
      }
      await rollout.waves(planned);
      return rollout.notes;
    }),
  );
}

/** The replicas that get a canary: per service, the first `replicas` of those the version changes. */
function canariesOf(planned: PlannedReplica[], settings: CanaryOptions): PlannedReplica[] {
  const changed = (p: PlannedReplica) => p.plan === 'replace' || p.plan === 'create';
  const services = settings.services ?? [
    ...new Set(planned.filter((p) => p.plan === 'replace').map((p) => p.service)),
  ];
  return services.flatMap((service) =>
    planned
      .filter((p) => p.service === service && changed(p))
      .sort((a, b) => a.replica - b.replica)
      .slice(0, settings.replicas ?? 1),
  );
}
