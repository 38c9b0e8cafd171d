import { ApplicationFailure } from '@temporalio/activity';
import { LABEL_HOST, LABEL_STACK } from '../../contracts/vocabulary.js';
import { INVALID_CONTAINER_SPEC } from '../../workflows/errors.js';
import { refuseBeyondStack } from './confinement.js';
import { bounded, withSignal } from './deadline.js';
import { isNotFound, messageOf, specFailure, statusOf } from './errors.js';
import type { HostDocker } from './host-docker.js';
import { checkPlatforms } from './platform.js';
import type { PrepareHostInput, StackNetwork } from './types.js';

/**
 * Checks the services' platforms against the daemon, then creates the stack's networks and volumes
 * on this host when missing; external ones must already exist. One that exists is used only when its
 * labels say Graphium created it for this very stack: a network of another project (Graphium's own
 * `graphium_default`, beside Temporal) or of another stack is never joined, a volume never shared.
 */
export async function prepareHost(host: HostDocker, input: PrepareHostInput): Promise<void> {
  await checkPlatforms(host, input.platforms);
  // Before anything is created: a refused network or volume leaves nothing half made.
  for (const network of input.networks)
    refuseBeyondStack(input.stack, `network ${network.dockerName}`, host.hostId, {
      kind: 'network',
      network,
    });
  for (const volume of input.volumes)
    refuseBeyondStack(input.stack, `volume ${volume.dockerName}`, host.hostId, { kind: 'volume', volume });
  const labels = { [LABEL_STACK]: input.stack, [LABEL_HOST]: host.hostId };
  const inspectNetwork = (name: string) => () => host.docker.getNetwork(name).inspect() as Promise<Owned>;
  for (const network of input.networks) {
    const name = network.dockerName;
    const found = await existing(`network ${name}`, inspectNetwork(name));
    if (found) {
      if (!network.external) requireOwned('network', name, found, input.stack, host.hostId);
      continue;
    }
    if (network.external) throw missingExternal('network', network.dockerName, host.hostId);
    try {
      await bounded(`creating network ${name}`, (abortSignal) =>
        host.docker.createNetwork({
          ...networkOptions(network),
          Labels: { ...network.labels, ...labels },
          CheckDuplicate: true,
          abortSignal,
        } as Parameters<typeof host.docker.createNetwork>[0]),
      );
      host.log.info({ network: network.dockerName }, 'network created');
    } catch (error) {
      if (statusOf(error) !== 409) throw specFailure(`network ${name} on host ${host.hostId}`, error);
      // 409: created meanwhile, by a concurrent step of the same deployment, or by someone else.
      const raced = await existing(`network ${name}`, inspectNetwork(name));
      if (raced) requireOwned('network', name, raced, input.stack, host.hostId);
    }
  }
  for (const volume of input.volumes) {
    const name = volume.dockerName;
    const found = await existing(`volume ${name}`, (abortSignal) =>
      host.docker.getVolume(name).inspect(withSignal(abortSignal, {})),
    );
    if (found) {
      if (!volume.external) requireOwned('volume', name, found, input.stack, host.hostId);
      continue;
    }
    if (volume.external) throw missingExternal('volume', volume.dockerName, host.hostId);
    await bounded(`creating volume ${name}`, (abortSignal) =>
      host.docker.createVolume({
        Name: name,
        Driver: volume.driver ?? 'local',
        ...(volume.driverOpts ? { DriverOpts: volume.driverOpts } : {}),
        Labels: { ...volume.labels, ...labels },
        abortSignal,
      } as Parameters<typeof host.docker.createVolume>[0]),
    );
    host.log.info({ volume: volume.dockerName }, 'volume created');
  }
}

/** A Compose network's settings as the Engine API takes them; only those the stack sets. */
export function networkOptions(network: StackNetwork) {
  const ipam = network.ipam;
  return {
    Name: network.dockerName,
    Driver: network.driver ?? 'bridge',
    ...(network.driverOpts ? { Options: network.driverOpts } : {}),
    ...(network.internal !== undefined ? { Internal: network.internal } : {}),
    ...(network.attachable !== undefined ? { Attachable: network.attachable } : {}),
    ...(network.enableIpv6 !== undefined ? { EnableIPv6: network.enableIpv6 } : {}),
    ...(ipam
      ? {
          IPAM: {
            Driver: ipam.driver ?? 'default',
            Config: ipam.config.map((c) => ({
              ...(c.subnet ? { Subnet: c.subnet } : {}),
              ...(c.gateway ? { Gateway: c.gateway } : {}),
              ...(c.ipRange ? { IPRange: c.ipRange } : {}),
            })),
          },
        }
      : {}),
  };
}

/** Removes the stack's networks on this host; volumes stay (they hold data, as with `docker compose down`). */
export async function removeStackNetworks(host: HostDocker, stack: string): Promise<string[]> {
  const networks = await bounded('listing networks', (abortSignal) =>
    host.docker.listNetworks({
      filters: { label: [`${LABEL_STACK}=${stack}`, `${LABEL_HOST}=${host.hostId}`] },
      abortSignal,
    }),
  );
  const removed: string[] = [];
  for (const network of networks) {
    try {
      await bounded(`removing network ${network.Name}`, (abortSignal) =>
        host.docker.getNetwork(network.Id).remove(withSignal(abortSignal, {})),
      );
      removed.push(network.Name);
      host.log.info({ network: network.Name }, 'network removed');
    } catch (error) {
      if (!isNotFound(error)) throw new Error(`cannot remove network ${network.Name}: ${messageOf(error)}`);
    }
  }
  return removed;
}

/** Removes the stack's volumes on this host (`delete --volumes`): only those labelled as the stack's. */
export async function removeStackVolumes(host: HostDocker, stack: string): Promise<string[]> {
  const { Volumes } = await bounded('listing volumes', (abortSignal) =>
    host.docker.listVolumes({
      filters: { label: [`${LABEL_STACK}=${stack}`, `${LABEL_HOST}=${host.hostId}`] },
      abortSignal,
    } as Parameters<typeof host.docker.listVolumes>[0]),
  );
  const removed: string[] = [];
  for (const volume of Volumes ?? []) {
    try {
      await bounded(`removing volume ${volume.Name}`, (abortSignal) =>
        host.docker.getVolume(volume.Name).remove(withSignal(abortSignal, {})),
      );
      removed.push(volume.Name);
      host.log.info({ volume: volume.Name }, 'volume removed');
    } catch (error) {
      if (!isNotFound(error)) throw new Error(`cannot remove volume ${volume.Name}: ${messageOf(error)}`);
    }
  }
  return removed;
}

interface Owned {
  Labels?: Record<string, string> | null;
}

async function existing(
  what: string,
  inspect: (abortSignal: AbortSignal) => Promise<Owned>,
): Promise<Owned | undefined> {
  try {
    return await bounded(`inspecting ${what}`, inspect);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** A network or volume of this name exists: it must be one Graphium created for this stack. */
function requireOwned(kind: string, name: string, found: Owned, stack: string, hostId: string): void {
  const owner = found.Labels?.[LABEL_STACK];
  if (owner === stack) return;
  throw ApplicationFailure.create({
    type: INVALID_CONTAINER_SPEC,
    nonRetryable: true,
    message:
      owner === undefined
        ? `${kind} ${name} already exists on host ${hostId} and Graphium did not create it for stack ${stack} ` +
          `(it has no ${LABEL_STACK} label): the stack will not use it; remove or rename it, or ask an admin ` +
          `to declare it external`
        : `${kind} ${name} on host ${hostId} belongs to stack ${owner}, not ${stack}: a stack never uses ` +
          `another stack's ${kind}s`,
  });
}

function missingExternal(kind: string, name: string, hostId: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: INVALID_CONTAINER_SPEC,
    nonRetryable: true,
    message: `external ${kind} ${name} does not exist on host ${hostId}`,
  });
}
