import type { HostDescription } from '../activities/docker/index.js';
import { dockerOn, onHost } from './kit/hosts.js';

export interface ProbeHostsInput {
  hostIds: string[];
  /** How long a host's agent may take to pick the task up before the host counts as offline. */
  pickupTimeout?: string;
}

/** Asks every host's agent, on its own queue, which daemon it runs against. Used by diagnostics and tests. */
export async function probeHostsWorkflow(input: ProbeHostsInput): Promise<HostDescription[]> {
  const pickupTimeout = input.pickupTimeout ?? '30s';
  return Promise.all(
    input.hostIds.map((hostId) =>
      onHost(hostId, pickupTimeout, () =>
        dockerOn(
          hostId,
          { startToCloseTimeout: '10s', retry: { maximumAttempts: 3 } },
          pickupTimeout,
        ).describeHost.executeWithOptions({ summary: `describe host ${hostId}` }, []),
      ),
    ),
  );
}
