import { ApplicationFailure } from '@temporalio/common';
import { CancellationScope, patched, upsertSearchAttributes } from '@temporalio/workflow';
import { hostsKey, operationKey, stackKey } from '../contracts/search-attributes.js';
import type { PlacedContainer, StackSpec } from '../stack/types.js';
import { mapLimit } from './concurrency.js';
import { deployContainer } from './deploy-container.js';
import { HOST_OFFLINE } from './errors.js';
import { describeFailure, failureType, isCancellation } from './failures.js';
import { dockerOn, onHost } from './host-routing.js';
import { ParentReporter } from './parent-reporter.js';
import { resourcesFor } from './stack-resources.js';
import { imagePull, quickDockerStep } from './timeouts.js';

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
  // The parent now sets these when it starts the child; runs started before that still upsert them.
  if (!patched('child-search-attributes-from-parent')) {
    upsertSearchAttributes([
      { key: stackKey, value: input.stack },
      { key: hostsKey, value: [input.hostId] },
      { key: operationKey, value: 'deploy' },
    ]);
  }
  const reporter = new ParentReporter(input.hostId);
  const on = <T>(step: () => Promise<T>) => onHost(input.hostId, input.pickupTimeout, step);
  const docker = (preset: typeof quickDockerStep) => dockerOn(input.hostId, preset, input.pickupTimeout);
  const services = input.spec.services.filter((s) => input.containers.some((c) => c.service === s.name));
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

    // One image that cannot be pulled cancels the other pulls instead of waiting for them.
    const pulls$ = new CancellationScope();
    const images = [...new Set(services.map((s) => s.image))];
    throwFirstFailure(
      await pulls$.run(() =>
        mapLimit(
          images,
          4,
          async (image) => {
            const users = input.containers.filter(
              (c) => services.find((s) => s.name === c.service)?.image === image,
            );
            for (const c of users) reporter.report({ name: c.name, status: 'pulling' });
            try {
              await on(() =>
                docker(imagePull).pullImage.executeWithOptions(
                  { summary: `pull ${image} on ${input.hostId}` },
                  [{ image }],
                ),
              );
            } catch (error) {
              if (!isCancellation(error)) {
                for (const c of users)
                  reporter.report({ name: c.name, status: 'failed', error: describeFailure(error) });
                pulls$.cancel();
              }
              throw error;
            }
          },
          { stopOnFailure: true },
        ),
      ),
    );

    const ctx = { ...input, reporter };
    const deployOne = (container: PlacedContainer) =>
      deployContainer(ctx, services.find((s) => s.name === container.service)!, container);
    // One failed container cancels its siblings still in flight (a health wait can last minutes), as
    // a failed pull cancels the other pulls; runs started before this change let them finish.
    const deploys$ = patched('cancel-siblings-on-failure') ? new CancellationScope() : undefined;
    const deployed = await (deploys$ ?? CancellationScope.current()).run(() =>
      mapLimit(
        input.containers,
        input.maxParallel,
        deploys$
          ? (container) =>
              deployOne(container).catch((error) => {
                if (!isCancellation(error)) deploys$.cancel();
                throw error;
              })
          : deployOne,
        { stopOnFailure: true },
      ),
    );
    throwFirstFailure(deployed);
    return { containers: input.containers.length };
  } finally {
    await reporter.close();
  }
}

/** Re-raises the first real failure as this workflow's own, keeping its type (HostOffline, ImageNotFound…). */
function throwFirstFailure(results: PromiseSettledResult<unknown>[]): void {
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length === 0) return;
  // Pulls cancelled because another pull failed are not the story: the failed pull is.
  const failed = failures.find((f) => !isCancellation(f.reason)) ?? failures[0]!;
  if (isCancellation(failed.reason)) throw failed.reason;
  throw ApplicationFailure.create({
    type: failureType(failed.reason, 'DeployFailed'),
    nonRetryable: true,
    message: describeFailure(failed.reason),
  });
}
