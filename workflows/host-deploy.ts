import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PlacedContainer, StackSpec } from '../stack/types.js';
import { mapLimit } from './concurrency.js';
import { HOST_OFFLINE } from './errors.js';
import { describeFailure, isCancellation } from './failures.js';
import { dockerOn, onHost } from './host-routing.js';
import { type ContainerUpdate, hostProgressSignal } from './progress.js';
import { hostsKey, operationKey, stackKey } from './search-attributes.js';
import { attachmentsFor, resourcesFor } from './stack-resources.js';
import { healthWait, imagePull, quickDockerStep, readinessTimeoutMs } from './timeouts.js';

export interface HostDeployInput {
  deploymentId: string;
  stack: string;
  hostId: string;
  /** 1-based dependency wave this child deploys. */
  wave: number;
  spec: StackSpec;
  containers: PlacedContainer[];
  pickupTimeout: string;
  maxParallel: number;
  settleMs: number;
}

/**
 * Deploys one dependency wave of a stack onto one host: networks and volumes, image pulls, then
 * each container (create, start, wait until ready) with bounded parallelism. One child per host
 * keeps every history small whatever the stack's size. Progress goes to the parent in batched
 * signals; the parent owns the saga, so this workflow never removes anything itself.
 */
export async function hostDeployWorkflow(input: HostDeployInput): Promise<{ containers: number }> {
  upsertSearchAttributes([
    { key: stackKey, value: input.stack },
    { key: hostsKey, value: [input.hostId] },
    { key: operationKey, value: 'deploy' },
  ]);
  const reporter = new ParentReporter(input.hostId);
  const on = <T>(step: () => Promise<T>) => onHost(input.hostId, input.pickupTimeout, step);
  const docker = (preset: typeof quickDockerStep) => dockerOn(input.hostId, preset, input.pickupTimeout);
  const services = input.spec.services.filter((s) => input.containers.some((c) => c.service === s.name));
  const update = (container: PlacedContainer, change: Omit<ContainerUpdate, 'hostId' | 'name'>) =>
    reporter.report({ hostId: input.hostId, name: container.name, ...change });
  try {
    try {
      await on(() =>
        docker(quickDockerStep).prepareHost.executeWithOptions(
          { summary: `networks and volumes of ${input.stack} on ${input.hostId}` },
          [{ stack: input.stack, ...resourcesFor(input.stack, input.spec, services) }],
        ),
      );
      reporter.markReached();
    } catch (error) {
      // Unless the agent never picked the step up, it may have changed the host: rollback must visit it.
      if (failureType(error) !== HOST_OFFLINE && !isCancellation(error)) reporter.markReached();
      throw error;
    }
    const images = [...new Set(services.map((s) => s.image))];
    const pulls = await mapLimit(images, 4, async (image) => {
      const users = input.containers.filter(
        (c) => services.find((s) => s.name === c.service)?.image === image,
      );
      for (const c of users) update(c, { status: 'pulling' });
      try {
        await on(() =>
          docker(imagePull).pullImage.executeWithOptions({ summary: `pull ${image} on ${input.hostId}` }, [
            { image },
          ]),
        );
      } catch (error) {
        for (const c of users) update(c, { status: 'failed', error: describeFailure(error) });
        throw error;
      }
    });
    throwFirstFailure(pulls);

    const deployed = await mapLimit(
      input.containers,
      input.maxParallel,
      async (container) => {
        const service = services.find((s) => s.name === container.service)!;
        let attempts = 0;
        try {
          update(container, { status: 'creating' });
          const created = await on(() =>
            docker(quickDockerStep).createContainer.executeWithOptions(
              { summary: `create ${container.name} on ${input.hostId}` },
              [
                {
                  stack: input.stack,
                  deploymentId: input.deploymentId,
                  service,
                  replica: container.replica,
                  name: container.name,
                  ...attachmentsFor(input.stack, input.spec, service),
                },
              ],
            ),
          );
          attempts = created.attempt;
          if (created.action === 'unchanged' && created.running) {
            update(container, { status: 'unchanged', containerId: created.containerId, attempts });
            return;
          }
          update(container, { status: 'starting', containerId: created.containerId, attempts });
          const started = await on(() =>
            docker(quickDockerStep).startContainer.executeWithOptions(
              { summary: `start ${container.name} on ${input.hostId}` },
              [{ name: container.name }],
            ),
          );
          attempts = Math.max(attempts, started.attempt);
          const timeoutMs = readinessTimeoutMs(service.healthcheck);
          const ready = await on(() =>
            docker({ ...healthWait, startToCloseTimeout: timeoutMs + 30_000 }).waitReady.executeWithOptions(
              { summary: `wait until ${container.name} on ${input.hostId} is ready` },
              [{ name: container.name, settleMs: input.settleMs, timeoutMs }],
            ),
          );
          update(container, { status: ready.status, attempts: Math.max(attempts, ready.attempt) });
        } catch (error) {
          if (!isCancellation(error))
            update(container, { status: 'failed', error: describeFailure(error), attempts });
          throw error;
        }
      },
      { stopOnFailure: true },
    );
    throwFirstFailure(deployed);
    return { containers: input.containers.length };
  } finally {
    await reporter.close();
  }
}

/** Re-raises the first failure as this workflow's own, keeping its type (HostOffline, ImageNotFound…). */
function throwFirstFailure(results: PromiseSettledResult<unknown>[]): void {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (!failed) return;
  if (isCancellation(failed.reason)) throw failed.reason;
  throw ApplicationFailure.create({
    type: failureType(failed.reason),
    nonRetryable: true,
    message: describeFailure(failed.reason),
  });
}

function failureType(error: unknown): string {
  let current: unknown = error;
  let type = 'DeployFailed';
  while (current instanceof TemporalFailure) {
    if (current instanceof ApplicationFailure && current.type) type = current.type;
    current = current.cause;
  }
  return type;
}

/**
 * Sends container updates to the parent workflow, one signal in flight at a time: updates that
 * arrive meanwhile ride in the next batch, so busy hosts send few, large signals. It runs in a
 * non-cancellable scope so the last updates still reach the parent when the deploy is cancelled.
 */
class ParentReporter {
  private pending: ContainerUpdate[] = [];
  private reached = false;
  private reachedSent = false;
  private closed = false;
  private readonly loop: Promise<void>;

  constructor(private readonly hostId: string) {
    const parent = workflowInfo().parent;
    this.loop = parent
      ? CancellationScope.nonCancellable(() =>
          this.run(getExternalWorkflowHandle(parent.workflowId, parent.runId)),
        )
      : Promise.resolve();
  }

  report(update: ContainerUpdate): void {
    this.pending.push(update);
  }

  markReached(): void {
    this.reached = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.loop;
  }

  private async run(parent: ReturnType<typeof getExternalWorkflowHandle>): Promise<void> {
    for (;;) {
      const unsent = () => this.pending.length > 0 || this.reached !== this.reachedSent;
      await condition(() => unsent() || this.closed);
      if (!unsent()) return;
      const batch = { hostId: this.hostId, reached: this.reached, updates: this.pending };
      this.pending = [];
      this.reachedSent = batch.reached;
      try {
        await parent.signal(hostProgressSignal, batch);
      } catch {
        return; // The parent has already closed: nobody is listening any more.
      }
    }
  }
}
