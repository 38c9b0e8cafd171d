import { ApplicationFailure } from '@temporalio/activity';
import { LABEL_HOST, LABEL_STACK } from '../../contracts/vocabulary.js';
import { INVALID_CONTAINER_SPEC } from '../../workflows/errors.js';
import { bounded, withSignal } from './deadline.js';
import { isNotFound, messageOf, specFailure, statusOf } from './errors.js';
import type { HostDocker } from './host-docker.js';
import { checkPlatforms } from './platform.js';
import type { PrepareHostInput, StackNetwork } from './types.js';

/**
 * Checks the services' platforms against the daemon, then creates the stack's networks and volumes
 * on this host when missing; external ones must already exist.
 */
export async function prepareHost(host: HostDocker, input: PrepareHostInput): Promise<void> {
  await checkPlatforms(host, input.platforms);
  const labels = { [LABEL_STACK]: input.stack, [LABEL_HOST]: host.hostId };
  for (const network of input.networks) {
    const name = network.dockerName;
    if (await exists(`network ${name}`, () => host.docker.getNetwork(name).inspect())) {
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
      // 409: created by a concurrent step of the same deployment.
      if (statusOf(error) !== 409) throw specFailure(`network ${name} on host ${host.hostId}`, error);
    }
  }
  for (const volume of input.volumes) {
    const name = volume.dockerName;
    if (
      await exists(`volume ${name}`, (abortSignal) =>
        host.docker.getVolume(name).inspect(withSignal(abortSignal, {})),
      )
    ) {
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

async function exists(
  what: string,
  inspect: (abortSignal: AbortSignal) => Promise<unknown>,
): Promise<boolean> {
  try {
    await bounded(`inspecting ${what}`, inspect);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

function missingExternal(kind: string, name: string, hostId: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: INVALID_CONTAINER_SPEC,
    nonRetryable: true,
    message: `external ${kind} ${name} does not exist on host ${hostId}`,
  });
}
