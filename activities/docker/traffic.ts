import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { LABEL_HOST, LABEL_STACK } from '../../contracts/vocabulary.js';
import { INVALID_CONTAINER_SPEC } from '../../workflows/errors.js';
import { endpoint } from './container-spec.js';
import { bounded, withSignal } from './deadline.js';
import type { HostDocker } from './host-docker.js';
import { listStackContainers } from './stack-sweeps.js';
import type { AliasMove, MoveAliasesInput, NetworkAttachment, RenameInput, SweepResult } from './types.js';

// Moving a service's traffic between containers on one host: its network aliases (the names other
// containers reach it by) and, at the end of a switch, the replica names themselves.

/**
 * Gives `add` the aliases and takes them from `remove`, in that order, so that on every network some
 * container always answers to the service's name. An endpoint's aliases are fixed when it connects,
 * so each one is disconnected and connected again, with or without them. Safe to repeat.
 */
export async function moveAliases(host: HostDocker, input: MoveAliasesInput): Promise<SweepResult> {
  const affected: string[] = [];
  for (const [moves, withAliases] of [
    [input.add, true],
    [input.remove, false],
  ] as const) {
    for (const move of moves) {
      heartbeat({ moving: move.name, aliases: withAliases });
      await reattach(host, input.stack, move, withAliases);
      affected.push(move.name);
    }
  }
  return { affected, restored: [], remaining: await listStackContainers(host, input.stack) };
}

async function reattach(host: HostDocker, stack: string, move: AliasMove, withAliases: boolean) {
  const container = await owned(host, stack, move.name);
  const attached = container.NetworkSettings?.Networks ?? {};
  for (const network of move.networks) {
    const wanted: NetworkAttachment = withAliases ? network : { ...network, aliases: [] };
    const current = attached[network.dockerName];
    if (current && sameAliases(current.Aliases ?? [], wanted.aliases, container.Id)) continue;
    const docker = host.docker.getNetwork(network.dockerName);
    if (current) {
      await bounded(`disconnecting ${move.name} from ${network.dockerName}`, (abortSignal) =>
        docker.disconnect(withSignal(abortSignal, { Container: container.Id, Force: true })),
      );
    }
    await bounded(`connecting ${move.name} to ${network.dockerName}`, (abortSignal) =>
      docker.connect(withSignal(abortSignal, { Container: container.Id, EndpointConfig: endpoint(wanted) })),
    );
    host.log.info(
      { container: move.name, network: network.dockerName, aliases: wanted.aliases },
      'network aliases moved',
    );
  }
}

/** Docker adds the short container ID to an endpoint's aliases by itself; only the others count. */
function sameAliases(current: string[], wanted: string[], containerId: string): boolean {
  const own = (alias: string) => containerId.startsWith(alias);
  const have = current.filter((alias) => !own(alias)).sort();
  const want = wanted.filter((alias) => !own(alias)).sort();
  return have.length === want.length && have.every((alias, i) => alias === want[i]);
}

/**
 * Each `from` takes the name `to` (a blue-green switch made final: green becomes the replica). The
 * container that held `to` (blue) is stopped gracefully and removed first. Safe to repeat: a rename
 * already done is found done.
 */
export async function renameContainers(host: HostDocker, input: RenameInput): Promise<SweepResult> {
  const affected: string[] = [];
  for (const { from, to } of input.renames) {
    heartbeat({ renaming: from, to });
    const incoming = await host.inspect(from);
    if (!incoming) continue;
    const holder = await host.inspect(to);
    if (holder && holder.Id !== incoming.Id) {
      await owned(host, input.stack, to);
      await host.stop(holder.Id);
      await host.remove(holder.Id);
      affected.push(to);
    }
    await host.rename(incoming.Id, to);
  }
  return { affected, restored: [], remaining: await listStackContainers(host, input.stack) };
}

/** A container of this stack on this host, or a refusal: never touch one Graphium did not make. */
async function owned(host: HostDocker, stack: string, name: string) {
  const container = await host.inspect(name);
  const labels = container?.Config.Labels ?? {};
  if (!container || labels[LABEL_STACK] !== stack || labels[LABEL_HOST] !== host.hostId) {
    throw ApplicationFailure.create({
      type: INVALID_CONTAINER_SPEC,
      nonRetryable: true,
      message: `host ${host.hostId} holds no container ${name} of stack ${stack}`,
    });
  }
  return container;
}
