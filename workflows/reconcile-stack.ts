import { log, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { ControlActivities } from '../activities/control/index.js';
import type { ContainerRequest, InventoriedContainer } from '../activities/docker/types.js';
import { driftKey } from '../contracts/search-attributes.js';
import { driftKinds, ORCHESTRATOR_TASK_QUEUE, type ReconcileMode } from '../contracts/vocabulary.js';
import { parseDuration } from '../stack/duration.js';
import type { StackSpec } from '../stack/types.js';
import { control } from './control.js';
import { type DriftFacts, driftOf, type ExpectedContainer, leftoversOf } from './drift.js';
import { describeFailure, failuresByHost } from './failures.js';
import { HostLinks } from './kit/hosts.js';
import { finishOperation, type Operation, onEveryHost, runOperation, syncObserved } from './kit/lifecycle.js';
import { defineOperation } from './kit/operation-type.js';
import type { StackOperationInput } from './operation-types.js';
import type { ProgressTracker } from './progress.js';
import type { OperationProgress } from './progress-types.js';
import { attachmentsFor } from './stack-resources.js';
import { inventoryLook, startOperations, urgentHostSweep } from './timeouts.js';

export interface ReconcileOptions {
  /** Repair this time, whatever the stack's own setting. */
  repair?: boolean;
}

/**
 * Compares what every host holds of the stack with the version its last successful deploy put in
 * place, and records the drift per container. Leftovers of deploys that ended without success (a
 * deploy terminated in Temporal, a rollback that could not reach a host) are rolled back first, as
 * their saga would have. With repair (the stack's setting, its Compose file's `x-graphium`, or this
 * run's option), any other drift starts a normal deploy of that version once this run has finished.
 */
export async function reconcileStackWorkflow(
  input: StackOperationInput<ReconcileOptions>,
): Promise<OperationProgress> {
  return runOperation(input, reconcile, async (op) => {
    const { tracker } = op;
    tracker.setPhase('reading the deployed version');
    const baseline = await control.reconcileBaseline({ stackId: input.stackId });
    const registered = new Set(baseline.registered);
    const hosts = [...new Set([...input.hostIds, ...baseline.expected.map((c) => c.hostId)])]
      .filter((hostId) => registered.has(hostId))
      .sort();
    const requests = expectedRequests(
      input.stack,
      input.version === baseline.version ? input.spec : null,
      baseline,
    );

    tracker.setPhase('taking stock of every host');
    // What the drift record calls "checked at": when the look began, not when it was written down.
    let checkedAt = new Date().toISOString();
    let inventories = await takeInventory(input, hosts, requests);
    const leftovers = leftoversOf(inventories, baseline.unfinished);
    if (leftovers.size > 0) {
      tracker.setPhase('rolling back what unfinished deploys left behind');
      await rollBackLeftovers(op, leftovers);
      tracker.setPhase('taking stock of every host again');
      checkedAt = new Date().toISOString();
      inventories = await takeInventory(input, hosts, requests);
    }

    const facts: DriftFacts = {
      expected: baseline.expected,
      expectRunning: baseline.expectRunning,
      registered,
      inventories,
      onUnregisteredHosts: baseline.onUnregisteredHosts,
    };
    const items = driftOf(facts);
    const mode: ReconcileMode =
      input.options?.repair === true
        ? 'repair'
        : (baseline.mode ?? input.spec?.graphium?.reconcile ?? 'report');
    await control.recordDrift({
      stackId: input.stackId,
      deploymentId: input.deploymentId,
      checkedAt,
      mode,
      version: baseline.version,
      items,
    });
    await syncObserved(input, observedOf(inventories));
    recordStates(tracker, inventories);
    const kinds = driftKinds.filter((kind) => items.some((item) => item.kind === kind));
    upsertSearchAttributes([{ key: driftKey, value: kinds }]);
    log.info('reconciled', { stack: input.stack, drift: items.length, kinds, mode });

    const unreachable = [...inventories].flatMap(([hostId, inv]) =>
      'unreachable' in inv ? [`${hostId}: ${inv.unreachable}`] : [],
    );
    const snapshot = await finishOperation(
      tracker,
      'succeeded',
      unreachable.length > 0 ? `not every host answered: ${unreachable.join('; ')}` : null,
    );
    // Only once this run's record is final: the repair is an operation of its own, under the same lock.
    const repairable = items.some((item) => item.kind !== 'unknown-host');
    if (mode === 'repair' && repairable && baseline.version !== null) {
      // A container changed by hand may keep the labels it was made with: the deploy must not trust them.
      const recreate = items.filter((item) => item.kind === 'changed').map((item) => item.container);
      const repair = await startRepair({ stackId: input.stackId, version: baseline.version, recreate });
      log.info('repair', { stack: input.stack, ...repair });
    }
    return snapshot;
  });
}

export const reconcile = defineOperation({
  name: 'reconcile',
  description:
    'Compare what runs on every host with the deployed version and record the drift; roll back what ' +
    'unfinished deploys left behind; with repair (the stack’s setting or this option), deploy that ' +
    'version again when anything drifted.',
  role: 'deployer',
  options: z.strictObject({
    repair: z
      .boolean()
      .optional()
      .describe('Repair this time, whatever the stack’s setting: deploy the deployed version again on drift'),
  }),
  actions: {},
  placesVersion: false,
  goalStates: ['running', 'stopped', 'completed', 'failed', 'removed'],
  workflow: reconcileStackWorkflow,
});

const { startRepair, startScheduledReconciles } = proxyActivities<ControlActivities>({
  ...startOperations,
  taskQueue: ORCHESTRATOR_TASK_QUEUE,
});

/**
 * The action of the reconcile schedule (RECONCILE_SCHEDULE_ID): starts a reconcile operation of
 * every live stack. A stack with an operation running is skipped until the next run.
 */
export async function reconcileStacksWorkflow(): Promise<{ started: number; skipped: string[] }> {
  const results = await startScheduledReconciles();
  const skipped = results.flatMap((r) => (r.skipped ? [`${r.stack}: ${r.skipped}`] : []));
  return { started: results.length - skipped.length, skipped };
}

/** The deploy's own container requests for what the deployed version places, by host. */
function expectedRequests(
  stack: string,
  spec: StackSpec | null,
  baseline: { deploymentId: string | null; expected: ExpectedContainer[] },
): Map<string, ContainerRequest[]> {
  const byHost = new Map<string, ContainerRequest[]>();
  if (!spec || !baseline.deploymentId) return byHost;
  for (const container of baseline.expected) {
    const service = spec.services.find((s) => s.name === container.service);
    if (!service) continue;
    const request: ContainerRequest = {
      stack,
      deploymentId: baseline.deploymentId,
      service,
      replica: container.replica,
      name: container.name,
      ...attachmentsFor(stack, spec, service),
    };
    byHost.set(container.hostId, [...(byHost.get(container.hostId) ?? []), request]);
  }
  return byHost;
}

/**
 * A look at a host is a read: an agent that does not take it within this long is reported
 * (`unknown-host`) rather than waited for, so a reconcile never holds the stack for a whole pickup
 * bound while a host is away.
 */
const INVENTORY_PICKUP = '15s';

async function takeInventory(
  input: StackOperationInput<ReconcileOptions>,
  hosts: string[],
  requests: Map<string, ContainerRequest[]>,
): Promise<DriftFacts['inventories']> {
  // Its own liveness watch, with the shorter pickup bound: an away host is reported, not waited for.
  const links = new HostLinks(shorter(input.pickupTimeout, INVENTORY_PICKUP));
  const results = await onEveryHost(hosts, (hostId) =>
    links.run(hostId, inventoryLook, (docker) =>
      docker.driftInventory.executeWithOptions({ summary: `take stock of ${input.stack} on ${hostId}` }, [
        { stack: input.stack, expected: requests.get(hostId) ?? [] },
      ]),
    ),
  );
  return new Map(
    [...results].map(([hostId, result]) => [
      hostId,
      result.status === 'fulfilled' ? result.value : { unreachable: describeFailure(result.reason) },
    ]),
  );
}

/** The shorter of two Temporal durations (`60s`, `15s`, `1m30s`). */
function shorter(a: string, b: string): string {
  return (parseDuration(a) ?? 0) <= (parseDuration(b) ?? 0) ? a : b;
}

/** The saga's own compensation, per host and unfinished deploy; a host that fails is tried next time. */
async function rollBackLeftovers(
  { input, hosts }: Operation<ReconcileOptions>,
  leftovers: Map<string, string[]>,
): Promise<void> {
  const results = await onEveryHost([...leftovers.keys()].sort(), async (hostId) => {
    for (const deploymentId of leftovers.get(hostId) ?? []) {
      await hosts.run(hostId, urgentHostSweep, (docker) =>
        docker.rollbackDeployment.executeWithOptions(
          { summary: `roll back what deployment ${deploymentId} left of ${input.stack} on ${hostId}` },
          [{ stack: input.stack, deploymentId }],
        ),
      );
    }
  });
  const failed = new Set(failuresByHost(results).map((failure) => failure.split(':')[0]));
  const { workflowId } = workflowInfo();
  const deploys = [...new Set([...leftovers.values()].flat())].sort();
  for (const deploymentId of deploys) {
    // Recorded only once no host still holds what it left.
    const done = [...leftovers].every(([hostId, ids]) => !ids.includes(deploymentId) || !failed.has(hostId));
    if (done) await control.leftoversRolledBack({ deploymentId, by: workflowId });
  }
}

function observedOf(inventories: DriftFacts['inventories']) {
  return new Map(
    [...inventories].map(([hostId, inv]) => [
      hostId,
      'unreachable' in inv
        ? ({ status: 'rejected', reason: inv.unreachable } as const)
        : ({
            status: 'fulfilled',
            value: { remaining: inv.containers.filter((c) => c.hostLabel === hostId).map(plain) },
          } as const),
    ]),
  );
}

/** The placement record's fields only. */
function plain(c: InventoriedContainer) {
  return {
    containerId: c.containerId,
    name: c.name,
    service: c.service,
    replica: c.replica,
    deploymentId: c.deploymentId,
    image: c.image,
    state: c.state,
  };
}

/** The reconcile's own progress list: each container as found; one recorded but not found is removed. */
function recordStates(tracker: ProgressTracker, inventories: DriftFacts['inventories']): void {
  for (const [hostId, inv] of inventories) {
    if ('unreachable' in inv) continue;
    const found = new Set(inv.containers.map((c) => c.name));
    tracker.apply(
      tracker
        .list()
        .filter((c) => c.hostId === hostId && !found.has(c.name))
        .map((c) => ({ hostId, name: c.name, status: 'removed' as const })),
    );
    tracker.apply(
      inv.containers
        .filter((c) => c.hostLabel === hostId)
        .map((c) => ({
          hostId,
          name: c.name,
          service: c.service,
          replica: c.replica,
          containerId: c.containerId,
          status: c.state === 'running' ? 'running' : c.state === 'exited' ? 'stopped' : 'failed',
        })),
    );
  }
}
