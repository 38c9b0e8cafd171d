import { ApplicationFailure } from '@temporalio/common';
import { CancellationScope, log, sleep } from '@temporalio/workflow';
import type { StackInventory } from '../../activities/docker/types.js';
import type { PlacedContainer, ServiceSpec, UpdateConfigSpec } from '../../stack/types.js';
import { updateConfigOf } from '../../stack/update-config.js';
import { dependencyWaves } from '../../stack/waves.js';
import { control } from '../control.js';
import { describeFailure, isCancellation } from '../failures.js';
import type { ActionRequest } from './actions.js';
import { prepareHosts, sharesOf } from './host-preparation.js';
import { type PlannedReplica, planReplicas, takeInventory } from './inventory.js';
import type { Operation } from './lifecycle.js';
import { ReplicaRunner } from './replicas.js';

// Rolling a stack version out: first every host is made ready (images, networks, files) and asked
// what it holds; then dependency wave by wave, the services of a wave in parallel, each per its
// update_config. Nothing is replaced before every image is on every host.

/** The failure type of an operation stopped on request (`abort`): compensated, never retried. */
export const ABORTED = 'AbortedOnRequest';

/** `<context>: aborted by <who>`, as the deployment's error. */
export function abortedBy(request: ActionRequest, context: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: ABORTED,
    nonRetryable: true,
    message: `${context}: ${request.action === 'abort' ? 'aborted' : request.action} by ${request.requestedBy}`,
  });
}

/** The replicas and settings a rollout works with; `notes` collects what the final record should say. */
export class Rollout {
  readonly runner: ReplicaRunner;
  readonly gate: PauseGate;
  /** Failures that the update tolerated or skipped (max_failure_ratio, failure_action: continue). */
  readonly notes: string[] = [];

  constructor(readonly op: Operation) {
    this.runner = new ReplicaRunner(op);
    this.gate = new PauseGate(op);
  }

  /** What each host held of the stack when `plan` asked, by host. */
  inventories = new Map<string, StackInventory>();
  /** What `plan` decided for each replica. */
  planned: PlannedReplica[] = [];

  /** Prepares the hosts of `containers` (default: the whole placement) and plans every replica. */
  async plan(containers: readonly PlacedContainer[] = this.op.input.placements): Promise<PlannedReplica[]> {
    this.op.tracker.setPhase(`preparing ${sharesOf(containers).length} hosts`);
    await prepareHosts(this.op, sharesOf(containers));
    this.inventories = await takeInventory(this.op, containers);
    const recreate = (this.op.input.options as { recreate?: string[] } | undefined)?.recreate;
    this.planned = planReplicas(containers, this.inventories, new Set(recreate));
    return this.planned;
  }

  /** Rolls `planned` out, dependency wave by wave; throws the failure that must roll everything back. */
  async waves(planned: readonly PlannedReplica[]): Promise<void> {
    const { input, tracker } = this.op;
    const spec = input.spec!;
    const waves = dependencyWaves(spec)
      .map((names) => names.filter((name) => planned.some((p) => p.service === name)))
      .filter((names) => names.length > 0);
    for (const [index, names] of waves.entries()) {
      tracker.setPhase(`wave ${index + 1} of ${waves.length}: ${names.join(', ')}`);
      const services = names.map((name) => spec.services.find((s) => s.name === name)!);
      await this.wave(services, planned);
      const snapshot = tracker.snapshot();
      await control.recordProgress({
        deploymentId: input.deploymentId,
        progress: snapshot.progress,
        containers: snapshot.containers,
      });
    }
  }

  /** The services of one wave, in parallel; a failure that rolls back cancels the others at once. */
  private async wave(services: ServiceSpec[], planned: readonly PlannedReplica[]): Promise<void> {
    const scope = new CancellationScope();
    let fatal: unknown;
    const stop = (error: unknown) => {
      if (fatal === undefined || (isCancellation(fatal) && !isCancellation(error))) fatal = error;
      scope.cancel();
    };
    // Every replica step settles (cancelled ones included) before this returns: a compensation
    // that follows must see every container they made.
    await scope.run(() =>
      Promise.all(services.map((service) => this.service(service, planned, stop).catch(stop))),
    );
    if (fatal !== undefined) throw fatal;
  }

  /**
   * One service: unchanged replicas are left alone; replicas that do not run yet start all at once
   * (bounded per host); running ones of another definition are replaced in batches of
   * `parallelism` across all the service's hosts, with `delay` between batches that replaced
   * something, start-first or stop-first, each new one watched for `monitor`.
   */
  private async service(
    service: ServiceSpec,
    planned: readonly PlannedReplica[],
    stop: (error: unknown) => void,
  ): Promise<void> {
    const config = updateConfigOf(service);
    const mine = planned.filter((p) => p.service === service.name);
    this.op.tracker.apply(
      mine
        .filter((p) => p.plan === 'unchanged')
        .map((p) => ({
          hostId: p.hostId,
          name: p.name,
          status: 'unchanged' as const,
          containerId: p.current?.containerId ?? null,
        })),
    );
    const fresh = mine.filter((p) => p.plan === 'create' || p.plan === 'start');
    const replaced = mine
      .filter((p) => p.plan === 'replace')
      .sort((a, b) => a.replica - b.replica || (a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0));
    const budget = new FailureBudget(service.name, config, fresh.length + replaced.length);
    await settle(fresh.map((p) => this.attempt(p, budget, stop, {})));
    const size = config.parallelism > 0 ? config.parallelism : replaced.length;
    for (let start = 0; start < replaced.length; start += size) {
      await this.gate.passed();
      if (start > 0 && config.delayMs > 0) await sleep(config.delayMs);
      const batch = replaced.slice(start, start + size);
      const options = { order: config.order, monitorMs: config.monitorMs };
      await settle(batch.map((p) => this.attempt(p, budget, stop, options)));
    }
  }

  /**
   * Deploys one replica; a failure goes to the service's failure budget. Unless it rolls everything
   * back, the failed replica is put back first (its previous container, or none), so the service
   * stays whole while the deployment goes on or pauses. `resume` tries the replica again.
   */
  private async attempt(
    replica: PlannedReplica,
    budget: FailureBudget,
    stop: (error: unknown) => void,
    options: { order?: 'stop-first' | 'start-first'; monitorMs?: number },
  ): Promise<void> {
    for (;;) {
      try {
        await this.runner.deploy(replica, options);
        return;
      } catch (error) {
        if (isCancellation(error)) throw error;
        const reason = `${replica.name} on ${replica.hostId}: ${describeFailure(error)}`;
        const verdict = budget.fail();
        if (verdict === 'rollback') {
          stop(error);
          throw error;
        }
        await this.runner.restore([replica], options.order);
        // Its previous container serves again before anything else is taken down.
        const stillDown = replica.current ? await this.runner.awaitReady(replica) : undefined;
        if (stillDown)
          this.notes.push(`${replica.name} on ${replica.hostId} came back unready: ${stillDown}`);
        if (verdict === 'tolerate' || verdict === 'continue') {
          this.notes.push(`kept the previous version of ${reason}`);
          log.warn('replica failed; its previous version kept', { replica: replica.name, reason });
          return;
        }
        const decision = await this.gate.pause(`update of ${budget.service} paused: ${reason}`);
        if (decision.action === 'abort') {
          const aborted = abortedBy(decision, `update of ${budget.service} paused after ${reason}`);
          stop(aborted);
          throw aborted;
        }
        budget.reset();
      }
    }
  }
}

/** Waits for every promise to settle, then throws the first failure, if any. */
async function settle(promises: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Counts a service's failed replicas against `max_failure_ratio`: within it a failure is tolerated
 * (the replica keeps its previous version); beyond it, `failure_action` decides.
 */
class FailureBudget {
  private failed = 0;

  constructor(
    readonly service: string,
    private readonly config: UpdateConfigSpec,
    private readonly total: number,
  ) {}

  fail(): 'tolerate' | UpdateConfigSpec['failureAction'] {
    this.failed++;
    if (this.total > 0 && this.failed / this.total <= this.config.maxFailureRatio) return 'tolerate';
    return this.config.failureAction;
  }

  /** After `resume`: the failures so far were seen and accepted. */
  reset(): void {
    this.failed = 0;
  }
}

/**
 * The deployment's one pause: services that fail at the same time wait for the same answer
 * (`resume` or `abort`), and no service starts another batch while it is paused.
 */
export class PauseGate {
  private waiting: Promise<ActionRequest> | undefined;

  constructor(private readonly op: Operation) {}

  pause(reason: string): Promise<ActionRequest> {
    this.waiting ??= this.ask(reason).finally(() => {
      this.waiting = undefined;
    });
    return this.waiting;
  }

  /** Resolves at once unless paused; then when the pause ends (resumed or aborted). */
  async passed(): Promise<void> {
    if (this.waiting) await this.waiting.catch(() => undefined);
  }

  private async ask(reason: string): Promise<ActionRequest> {
    const { tracker } = this.op;
    tracker.error = reason;
    tracker.setPhase(`${reason}; awaiting resume or abort`);
    const taken = (await tracker.awaitAction(['resume', 'abort']))!;
    if (taken.action === 'resume') tracker.error = null;
    return taken;
  }
}

/** Places the whole version: every host prepared, every replica planned, wave by wave. */
export async function rollOutVersion(rollout: Rollout): Promise<void> {
  await rollout.waves(await rollout.plan());
}
