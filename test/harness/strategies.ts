import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { LABEL_HOST, LABEL_SERVICE, LABEL_STACK } from '../../contracts/vocabulary.js';
import { type DeploymentRow, deployments } from '../../db/schema.js';
import { actionUpdate } from '../../workflows/kit/actions.js';
import type { OperationProgress } from '../../workflows/progress-types.js';
import { DaemonProbe } from './daemon.js';
import type { TestInfra } from './infra.js';
import { waitFor } from './ports.js';
import type { OpsContext } from './stack-ops.js';

// What the update-strategy tests read from the daemons (which containers of a service run, which
// version, which network aliases) and how they drive a deployment that awaits an action.

/** One container of a service as its daemon reports it. */
export interface ServiceContainer {
  hostId: string;
  name: string;
  id: string;
  state: string;
  healthy: boolean;
  /** The `version` label the test stacks carry. */
  version: string | undefined;
  /** The service's own aliases on each network (Docker's own short-ID alias left out). */
  aliases: Record<string, string[]>;
}

/** Every container of `service` of `stack` on the given hosts, inspected on their daemons. */
export async function serviceContainers(
  infra: TestInfra,
  hostIds: string[],
  stack: string,
  service: string,
): Promise<ServiceContainer[]> {
  const all = await Promise.all(
    hostIds.map(async (hostId, index) => {
      const probe = new DaemonProbe(infra.dockerHosts[index]!.socketPath);
      const labels: Record<string, string> = { [LABEL_STACK]: stack, [LABEL_SERVICE]: service };
      if (infra.sharedDaemon) labels[LABEL_HOST] = hostId;
      const listed = await probe.containers(labels);
      return Promise.all(
        listed.map(async (c): Promise<ServiceContainer> => {
          const doc = await probe.inspect(c.id);
          const aliases = Object.fromEntries(
            Object.entries(doc.NetworkSettings.Networks).map(([network, endpoint]) => [
              network,
              (endpoint.Aliases ?? []).filter((alias) => !c.id.startsWith(alias)).sort(),
            ]),
          );
          return {
            hostId,
            name: c.name,
            id: c.id,
            state: c.state,
            healthy: c.state === 'running' && c.status.includes('(healthy)'),
            version: c.labels.version,
            aliases,
          };
        }),
      );
    }),
  );
  return all.flat().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Counts, every `everyMs`, the containers of a service that run and are healthy on the hosts' daemons,
 * until `stop()`; returns every count. Reads the daemons directly (`docker ps`), nothing of Graphium.
 */
export function sampleHealthy(
  infra: TestInfra,
  hostIds: string[],
  stack: string,
  service: string,
  everyMs = 100,
) {
  const counts: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const lists = await Promise.all(
        hostIds.map((hostId, index) => {
          const labels: Record<string, string> = { [LABEL_STACK]: stack, [LABEL_SERVICE]: service };
          if (infra.sharedDaemon) labels[LABEL_HOST] = hostId;
          return new DaemonProbe(infra.dockerHosts[index]!.socketPath).containers(labels);
        }),
      );
      counts.push(lists.flat().filter((c) => c.state === 'running' && c.status.includes('(healthy)')).length);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop(): Promise<number[]> {
      running = false;
      await loop;
      return counts;
    },
  };
}

export async function progressOf(temporal: Client, workflowId: string): Promise<OperationProgress> {
  return (await temporal.workflow.getHandle(workflowId).query('progress')) as OperationProgress;
}

/** Waits until the deployment awaits `action` (generous: the machine is shared and slow). */
export async function waitUntilAwaiting(
  temporal: Client,
  workflowId: string,
  action: string,
  timeoutMs = 240_000,
): Promise<OperationProgress> {
  const last = await waitFor(
    `${workflowId} to await ${action}`,
    async () => {
      const progress = await progressOf(temporal, workflowId);
      const waiting = progress.awaiting?.actions.includes(action) ?? false;
      return waiting || progress.status !== 'running' ? progress : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
  if (last.status !== 'running') throw new Error(`${workflowId} ended ${last.status}: ${last.error}`);
  return last;
}

/** Takes an action as the API does (the `action` Update); resolves with the deployment after it. */
export async function takeAction(temporal: Client, workflowId: string, action: string) {
  return (await temporal.workflow
    .getHandle(workflowId)
    .executeUpdate(actionUpdate, { args: [{ action, requestedBy: 'test' }] })) as OperationProgress;
}

/** The final record of an operation, once its workflow has closed (succeeded or not). */
export async function outcomeOf(ctx: OpsContext, workflowId: string): Promise<DeploymentRow> {
  await ctx.temporal.workflow
    .getHandle(workflowId)
    .result()
    .catch(() => undefined);
  const [row] = await ctx.db.select().from(deployments).where(eq(deployments.workflowId, workflowId));
  return row!;
}
