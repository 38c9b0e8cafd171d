import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import type Docker from 'dockerode';
import { LABEL_HOST, LABEL_STACK } from '../../contracts/vocabulary.js';
import { INVALID_CONTAINER_SPEC } from '../../workflows/errors.js';
import { endpoint } from './container-spec.js';
import { bounded, withSignal } from './deadline.js';
import type { HostDocker } from './host-docker.js';
import { listStackContainers } from './stack-sweeps.js';
import type {
  AliasMove,
  MoveAliasesInput,
  MoveAliasesResult,
  NetworkAttachment,
  RenameInput,
  SweepResult,
} from './types.js';

// Moving a service's traffic between containers on one host: its network aliases (the names other
// containers reach it by) and, at the end of a switch, the replica names themselves.

/**
 * Gives `add` their aliases, then takes every alias from `remove`, in that order, so that on every
 * network some container always answers to the service's name. An endpoint's aliases are fixed when
 * it connects, so each one is disconnected and connected again, with or without them. Safe to
 * repeat; returns what it took from `remove`, to give it back should the move be undone.
 */
export async function moveAliases(host: HostDocker, input: MoveAliasesInput): Promise<MoveAliasesResult> {
  const affected: string[] = [];
  for (const move of input.add) {
    heartbeat({ giving: move.name });
    const container = await owned(host, input.stack, move.name);
    for (const network of move.networks) await reattach(host, move.name, container, network);
    affected.push(move.name);
  }
  const removed: AliasMove[] = [];
  for (const { name } of input.remove) {
    heartbeat({ taking: name });
    const container = await owned(host, input.stack, name);
    const networks = Object.entries(container.NetworkSettings?.Networks ?? {}).map(
      ([dockerName, endpoint]) => ({
        dockerName,
        aliases: ownAliases(endpoint.Aliases ?? [], container.Id),
      }),
    );
    for (const network of networks) await reattach(host, name, container, { ...network, aliases: [] });
    removed.push({ name, networks: networks.filter((n) => n.aliases.length > 0) });
    affected.push(name);
  }
  return { affected, restored: [], remaining: await listStackContainers(host, input.stack), removed };
}

async function reattach(
  host: HostDocker,
  name: string,
  container: Docker.ContainerInspectInfo,
  wanted: NetworkAttachment,
): Promise<void> {
  const current = container.NetworkSettings?.Networks?.[wanted.dockerName];
  if (current && sameAliases(ownAliases(current.Aliases ?? [], container.Id), wanted.aliases)) return;
  const network = host.docker.getNetwork(wanted.dockerName);
  if (current) {
    await bounded(`disconnecting ${name} from ${wanted.dockerName}`, (abortSignal) =>
      network.disconnect(withSignal(abortSignal, { Container: container.Id, Force: true })),
    );
  }
  await bounded(`connecting ${name} to ${wanted.dockerName}`, (abortSignal) =>
    network.connect(withSignal(abortSignal, { Container: container.Id, EndpointConfig: endpoint(wanted) })),
  );
  host.log.info(
    { container: name, network: wanted.dockerName, aliases: wanted.aliases },
    'network aliases moved',
  );
}

/** Docker adds the short container ID to an endpoint's aliases by itself; only the others count. */
function ownAliases(aliases: string[], containerId: string): string[] {
  return aliases.filter((alias) => !containerId.startsWith(alias));
}

function sameAliases(have: string[], want: string[]): boolean {
  const a = [...have].sort();
  const b = [...want].sort();
  return a.length === b.length && a.every((alias, i) => alias === b[i]);
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
