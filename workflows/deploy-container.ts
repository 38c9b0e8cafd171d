import type { PlacedContainer, ServiceSpec, StackSpec } from '../stack/types.js';
import { describeFailure, isCancellation } from './failures.js';
import { dockerOn, onHost } from './host-routing.js';
import type { ParentReporter } from './parent-reporter.js';
import type { ContainerUpdate } from './progress.js';
import { attachmentsFor, mustComplete } from './stack-resources.js';
import { COMPLETION_TIMEOUT_MS, healthWait, quickDockerStep, readinessTimeoutMs } from './timeouts.js';

export interface ContainerStepContext {
  deploymentId: string;
  stack: string;
  hostId: string;
  spec: StackSpec;
  pickupTimeout: string;
  settleMs: number;
  reporter: ParentReporter;
}

/**
 * One replica on one host: create (idempotent; may find it unchanged), start, then wait until it
 * is ready (for a `service_completed_successfully` dependency: until it has exited 0). Each step
 * is its own activity, so progress, retries and timeouts are per step.
 */
export async function deployContainer(
  ctx: ContainerStepContext,
  service: ServiceSpec,
  container: PlacedContainer,
): Promise<void> {
  const docker = (preset: typeof quickDockerStep) => dockerOn(ctx.hostId, preset, ctx.pickupTimeout);
  const on = <T>(step: () => Promise<T>) => onHost(ctx.hostId, ctx.pickupTimeout, step);
  const update = (change: Omit<ContainerUpdate, 'hostId' | 'name'>) =>
    ctx.reporter.report({ name: container.name, ...change });
  let attempts = 0;
  try {
    update({ status: 'creating' });
    const created = await on(() =>
      docker(quickDockerStep).createContainer.executeWithOptions(
        { summary: `create ${container.name} on ${ctx.hostId}` },
        [
          {
            stack: ctx.stack,
            deploymentId: ctx.deploymentId,
            service,
            replica: container.replica,
            name: container.name,
            ...attachmentsFor(ctx.stack, ctx.spec, service),
          },
        ],
      ),
    );
    attempts = created.attempt;
    if (created.action === 'unchanged' && created.running) {
      update({ status: 'unchanged', containerId: created.containerId, attempts });
      return;
    }
    update({ status: 'starting', containerId: created.containerId, attempts });
    const started = await on(() =>
      docker(quickDockerStep).startContainer.executeWithOptions(
        { summary: `start ${container.name} on ${ctx.hostId}` },
        [{ name: container.name }],
      ),
    );
    attempts = Math.max(attempts, started.attempt);
    // A one-shot that dependents wait for is ready when it has exited 0; its healthcheck is moot.
    const untilExit = mustComplete(ctx.spec, service);
    // The agent reports the healthcheck Docker will run, the image's own included.
    const timeoutMs = untilExit
      ? COMPLETION_TIMEOUT_MS
      : readinessTimeoutMs(created.healthcheck ?? service.healthcheck);
    const ready = await on(() =>
      docker({ ...healthWait, startToCloseTimeout: timeoutMs + 30_000 }).waitReady.executeWithOptions(
        {
          summary: untilExit
            ? `wait until ${container.name} on ${ctx.hostId} has completed`
            : `wait until ${container.name} on ${ctx.hostId} is ready`,
        },
        [{ name: container.name, settleMs: ctx.settleMs, timeoutMs, ...(untilExit ? { untilExit } : {}) }],
      ),
    );
    update({ status: ready.status, attempts: Math.max(attempts, ready.attempt) });
  } catch (error) {
    if (!isCancellation(error)) update({ status: 'failed', error: describeFailure(error), attempts });
    throw error;
  }
}
