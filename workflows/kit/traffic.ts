import type { AliasMove, MoveAliasesResult } from '../../activities/docker/types.js';
import type { ServiceSpec } from '../../stack/types.js';
import { fixedHostPorts } from '../../stack/update-config.js';
import { attachmentsFor } from '../stack-resources.js';
import { hostSweep, quickDockerStep, urgentHostSweep } from '../timeouts.js';
import type { Operation } from './lifecycle.js';
import type { OperationPlan } from './operation-type.js';

// Moving a service's traffic between its containers on each host (network aliases, replica names),
// and what makes two containers of one replica impossible on a host.

/** Per host: the containers that get the service's aliases, and those that lose every alias. */
export interface AliasSwitch {
  hostId: string;
  /** Containers that get their service's aliases (by container name and service). */
  to: { name: string; service: string }[];
  /** Containers that lose theirs. */
  from: string[];
}

/**
 * Moves traffic on every host at once: `to` get the aliases first, then `from` lose theirs, so some
 * container always answers. Returns what was taken, per host, to give it back with `restoreAliases`.
 */
export async function switchAliases(
  op: Operation,
  switches: AliasSwitch[],
): Promise<Map<string, AliasMove[]>> {
  const { input, hosts } = op;
  const spec = input.spec!;
  const results = await Promise.all(
    switches.map((move) =>
      hosts.run(move.hostId, quickDockerStep, (docker) =>
        docker.moveAliases.executeWithOptions(
          { summary: `move the aliases of ${input.stack} on ${move.hostId} to ${move.to.length} containers` },
          [
            {
              stack: input.stack,
              add: move.to.map(({ name, service }) => ({
                name,
                networks: attachmentsFor(input.stack, spec, spec.services.find((s) => s.name === service)!)
                  .networks,
              })),
              remove: move.from.map((name) => ({ name })),
            },
          ],
        ),
      ),
    ),
  );
  return new Map(switches.map((move, index) => [move.hostId, (results[index] as MoveAliasesResult).removed]));
}

/** Gives containers back the aliases `switchAliases` took from them, then takes them from `from`. */
export async function restoreAliases(
  op: Operation,
  taken: Map<string, AliasMove[]>,
  from: Map<string, string[]>,
): Promise<void> {
  const { input, hosts } = op;
  await Promise.all(
    [...taken].map(([hostId, moves]) =>
      hosts.run(hostId, urgentHostSweep, (docker) =>
        docker.moveAliases.executeWithOptions(
          { summary: `give the aliases of ${input.stack} back on ${hostId}` },
          [{ stack: input.stack, add: moves, remove: (from.get(hostId) ?? []).map((name) => ({ name })) }],
        ),
      ),
    ),
  );
}

/** Stops (or starts) exactly these containers of the stack on each host. */
export async function setRunning(
  op: Operation,
  names: Map<string, string[]>,
  running: boolean,
): Promise<void> {
  const { input, hosts } = op;
  await Promise.all(
    [...names]
      .filter(([, list]) => list.length > 0)
      .map(([hostId, list]) =>
        hosts.run(hostId, running ? urgentHostSweep : hostSweep, (docker) =>
          (running ? docker.startContainers : docker.stopContainers).executeWithOptions(
            { summary: `${running ? 'start' : 'stop'} ${list.join(', ')} on ${hostId}` },
            [{ stack: input.stack, services: [], names: list }],
          ),
        ),
      ),
  );
}

/** Each `from` takes the name `to` on its host; the container holding `to` is removed first. */
export async function renameInto(
  op: Operation,
  renames: Map<string, { from: string; to: string }[]>,
): Promise<void> {
  const { input, hosts } = op;
  await Promise.all(
    [...renames].map(([hostId, list]) =>
      hosts.run(hostId, hostSweep, (docker) =>
        docker.renameContainers.executeWithOptions(
          { summary: `rename ${list.length} containers on ${hostId}` },
          [{ stack: input.stack, renames: list }],
        ),
      ),
    ),
  );
}

/**
 * Why a second container of a replica cannot run beside the first on its host, or undefined: a
 * service that publishes a fixed host port, or has a fixed address, and runs now on a host where the
 * version places it. `services` limits the check (a canary's services).
 */
export function besideRefusal(plan: OperationPlan, services?: readonly string[]): string | undefined {
  for (const service of plan.spec.services) {
    if (services && !services.includes(service.name)) continue;
    const fixed = fixedOf(service);
    if (!fixed) continue;
    const host = plan.placements.find(
      (p) =>
        p.service === service.name &&
        plan.current.some((c) => c.service === service.name && c.hostId === p.hostId),
    )?.hostId;
    if (host) {
      return (
        `service ${service.name} has ${fixed}, and ${host} would run its new container beside the one running ` +
        'there: publish no fixed host port (let Docker pick one) and set no fixed address, or use deploy'
      );
    }
  }
  return undefined;
}

function fixedOf(service: ServiceSpec): string | undefined {
  const ports = fixedHostPorts(service);
  if (ports.length > 0) return `host port ${ports[0]}`;
  const address = service.networks.find((n) => n.ipv4Address || n.ipv6Address);
  if (address) return `a fixed address on network ${address.name}`;
  return undefined;
}
