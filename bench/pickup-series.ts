import { TEST_IMAGE } from '../test/harness/docker-hosts.js';
import { type OpsContext, putStack, runOperation } from '../test/harness/stack-ops.js';
import { fetchTimeline, isDockerStep, percentile, pickupsOf } from './history-timeline.js';

// Agent pickup on an idle host: one-container deploys one after another, nothing else running, each
// a new version (so each replaces its container: every Docker step of a deploy runs, deployReplica
// included). Pickup is scheduled → started of their Docker steps, read from their histories.

export interface PickupSeries {
  deploys: number;
  steps: number;
  p50: number;
  p99: number;
  max: number;
  replicaP50: number;
  deployP50Ms: number;
}

export async function idleHostPickups(ctx: OpsContext, deploys: number): Promise<PickupSeries> {
  const pickups: number[] = [];
  const replicaPickups: number[] = [];
  const walls: number[] = [];
  for (let i = 1; i <= deploys; i++) {
    await putStack(
      ctx.db,
      'pickup',
      `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 86400\n    stop_grace_period: 1s\n` +
        `    environment: { SERIES: "${i}" }\n`,
    );
    const started = Date.now();
    const deploy = await runOperation(ctx, 'pickup', 'deploy', { options: { settleMs: 0 } });
    walls.push(Date.now() - started);
    if (deploy.deployment.status !== 'succeeded')
      throw new Error(`pickup deploy ${i} ${deploy.deployment.status}: ${deploy.deployment.error}`);
    const docker = (await fetchTimeline(ctx.temporal, deploy.deployment.workflowId)).activities.filter(
      isDockerStep,
    );
    pickups.push(...pickupsOf(docker));
    replicaPickups.push(...pickupsOf(docker.filter((a) => a.type === 'deployReplica')));
  }
  return {
    deploys,
    steps: pickups.length,
    p50: percentile(pickups, 50),
    p99: percentile(pickups, 99),
    max: Math.max(0, ...pickups),
    replicaP50: percentile(replicaPickups, 50),
    deployP50Ms: percentile(walls, 50),
  };
}
