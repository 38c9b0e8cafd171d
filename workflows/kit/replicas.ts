import { CancellationScope } from '@temporalio/workflow';
import type { ReplicaResult } from '../../activities/docker/types.js';
import type { PlacedContainer, ServiceSpec } from '../../stack/types.js';
import { describeFailure, isCancellation } from '../failures.js';
import { DEFAULT_MAX_PARALLEL_PER_HOST, DEFAULT_SETTLE_MS } from '../operation-types.js';
import { mustComplete } from '../stack-resources.js';
import {
  COMPLETION_TIMEOUT_MS,
  healthWait,
  replicaReadinessBoundMs,
  replicaStep,
  urgentHostSweep,
} from '../timeouts.js';
import { templateOf } from './inventory.js';
import type { Operation } from './lifecycle.js';

// Replicas, one activity each (deployReplica on the host's agent: create, start, wait until ready,
// watch), scheduled straight from the operation's workflow: no child workflow per host and no
// progress signals, so the history holds three events per replica and little else.

export interface ReplicaOptions {
  /** The container's name when it is not the replica's own (a canary, the green side of a switch). */
  name?: string;
  order?: 'stop-first' | 'start-first';
  /** How long it must stay up after it is ready. */
  monitorMs?: number;
  /** Without the service's network aliases (blue-green's green side, until the switch). */
  withoutAliases?: boolean;
}

/** Deploys replicas, at most `maxParallelPerHost` at once on each host, across every caller. */
export class ReplicaRunner {
  private readonly slots = new Map<string, Slots>();
  readonly maxParallelPerHost: number;
  readonly settleMs: number;

  constructor(private readonly op: Operation) {
    const options = op.input.options as { maxParallelPerHost?: number; settleMs?: number } | undefined;
    this.maxParallelPerHost = options?.maxParallelPerHost ?? DEFAULT_MAX_PARALLEL_PER_HOST;
    this.settleMs = options?.settleMs ?? DEFAULT_SETTLE_MS;
  }

  /**
   * One replica on its host; progress shows it `starting` (one step creates, starts and awaits it),
   * then its outcome, or `failed`.
   */
  async deploy(placed: PlacedContainer, options: ReplicaOptions = {}): Promise<ReplicaResult> {
    const { input, tracker, hosts } = this.op;
    const spec = input.spec!;
    const service = spec.services.find((s) => s.name === placed.service)!;
    const name = options.name ?? placed.name;
    const where = { hostId: placed.hostId, name, service: placed.service, replica: placed.replica };
    const slots = this.slotsOf(placed.hostId);
    await slots.take();
    try {
      tracker.apply([{ ...where, status: 'starting', error: null }]);
      const untilExit = mustComplete(spec, service);
      const result = await hosts.run(
        placed.hostId,
        replicaStep(waitBoundMs(service, untilExit, options)),
        (docker) =>
          docker.deployReplica.executeWithOptions({ summary: summaryOf(name, placed.hostId, options) }, [
            {
              ...templateOf(input.stack, spec, placed.service),
              deploymentId: input.deploymentId,
              replica: placed.replica,
              name,
              settleMs: this.settleMs,
              ...(untilExit ? { untilExit } : {}),
              ...(options.monitorMs ? { monitorMs: options.monitorMs } : {}),
              ...(options.order === 'start-first' ? { order: options.order } : {}),
              ...(options.withoutAliases ? { withoutAliases: true } : {}),
            },
          ]),
      );
      tracker.apply([
        {
          ...where,
          status: result.status,
          containerId: result.containerId,
          attempts: result.attempt,
          agent: result.agent,
        },
      ]);
      return result;
    } catch (error) {
      if (!isCancellation(error))
        tracker.apply([{ ...where, status: 'failed', error: describeFailure(error) }]);
      throw error;
    } finally {
      slots.give();
    }
  }

  /**
   * Deploys replicas side by side (canaries, a green version); the first that fails cancels the
   * others, and every step settles (so a compensation that follows sees all they made) before the
   * failure is rethrown. Resolves with each one's result, in order.
   */
  async deployAll(
    replicas: readonly { placed: PlacedContainer; options?: ReplicaOptions }[],
  ): Promise<ReplicaResult[]> {
    const scope = new CancellationScope();
    let failure: unknown;
    const results = await scope.run(() =>
      Promise.allSettled(
        replicas.map(({ placed, options }) =>
          this.deploy(placed, options).catch((error) => {
            if (failure === undefined || (isCancellation(failure) && !isCancellation(error))) failure = error;
            scope.cancel();
            throw error;
          }),
        ),
      ),
    );
    if (failure !== undefined) throw failure;
    return results.map((r) => (r as PromiseFulfilledResult<ReplicaResult>).value);
  }

  /** Puts replicas back as they were before this deployment (restoreReplicas). */
  restore(replicas: readonly PlacedContainer[], order?: 'stop-first' | 'start-first'): Promise<void> {
    return restoreReplicas(this.op, replicas, order);
  }

  /**
   * Waits until a replica's container (one put back, say) is ready again, so that the next batch
   * does not take another replica down while this one still starts. Its verdict is returned, not
   * thrown: the caller goes on either way.
   */
  async awaitReady(placed: PlacedContainer): Promise<string | undefined> {
    const { input, hosts } = this.op;
    const service = input.spec!.services.find((s) => s.name === placed.service)!;
    const timeoutMs = replicaReadinessBoundMs(service.healthcheck);
    try {
      const ready = await hosts.run(
        placed.hostId,
        { ...healthWait, startToCloseTimeout: timeoutMs + 30_000 },
        (docker) =>
          docker.waitReady.executeWithOptions(
            { summary: `wait until ${placed.name} on ${placed.hostId} is ready` },
            [{ name: placed.name, settleMs: this.settleMs, timeoutMs }],
          ),
      );
      this.op.tracker.apply([
        { hostId: placed.hostId, name: placed.name, containerId: ready.containerId, status: 'compensated' },
      ]);
      return undefined;
    } catch (error) {
      if (isCancellation(error)) throw error;
      return describeFailure(error);
    }
  }

  private slotsOf(hostId: string): Slots {
    let slots = this.slots.get(hostId);
    if (!slots) {
      slots = new Slots(this.maxParallelPerHost);
      this.slots.set(hostId, slots);
    }
    return slots;
  }
}

/**
 * Puts replicas back as they were before this deployment: their new containers go, their previous
 * ones (if any) come back under their names. One step per host, ahead of deploy work there.
 */
export async function restoreReplicas(
  op: Operation,
  replicas: readonly Pick<PlacedContainer, 'hostId' | 'name'>[],
  order?: 'stop-first' | 'start-first',
): Promise<void> {
  const { input, tracker, hosts } = op;
  const byHost = new Map<string, string[]>();
  for (const r of replicas) byHost.set(r.hostId, [...(byHost.get(r.hostId) ?? []), r.name]);
  await Promise.all(
    [...byHost].map(([hostId, names]) =>
      hosts.run(hostId, urgentHostSweep, (docker) =>
        docker.rollbackDeployment.executeWithOptions(
          { summary: `put back ${names.join(', ')} on ${hostId}` },
          [{ stack: input.stack, deploymentId: input.deploymentId, names, ...(order ? { order } : {}) }],
        ),
      ),
    ),
  );
  tracker.apply(replicas.map((r) => ({ hostId: r.hostId, name: r.name, status: 'compensated' as const })));
}

/** How long the agent may take to make it ready and watch it, before the step times out. */
function waitBoundMs(service: ServiceSpec, untilExit: boolean, options: ReplicaOptions): number {
  const ready = untilExit ? COMPLETION_TIMEOUT_MS : replicaReadinessBoundMs(service.healthcheck);
  return ready + (options.monitorMs ?? 0);
}

function summaryOf(name: string, hostId: string, options: ReplicaOptions): string {
  const how = options.order === 'start-first' ? ' (start-first)' : '';
  return `deploy ${name} on ${hostId}${how}`;
}

/** A counting semaphore in plain promises (deterministic): waiters are served in arrival order. */
class Slots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
