import { ApplicationFailure } from '@temporalio/activity';
import { LABEL_HOST, LABEL_STACK } from '../../contracts/vocabulary.js';
import { INVALID_CONTAINER_SPEC } from '../../workflows/errors.js';
import { isNotFound, messageOf, statusOf } from './errors.js';
import type { HostDocker } from './host-docker.js';
import type { PrepareHostInput } from './types.js';

/** Creates the stack's networks and volumes on this host when missing; external ones must already exist. */
export async function prepareHost(host: HostDocker, input: PrepareHostInput): Promise<void> {
  const labels = { [LABEL_STACK]: input.stack, [LABEL_HOST]: host.hostId };
  for (const network of input.networks) {
    if (await exists(() => host.docker.getNetwork(network.dockerName).inspect())) continue;
    if (network.external) throw missingExternal('network', network.dockerName, host.hostId);
    try {
      await host.docker.createNetwork({
        Name: network.dockerName,
        Driver: network.driver ?? 'bridge',
        Labels: labels,
        CheckDuplicate: true,
      });
      host.log.info({ network: network.dockerName }, 'network created');
    } catch (error) {
      // 409: created by a concurrent step of the same deployment.
      if (statusOf(error) !== 409) throw error;
    }
  }
  for (const volume of input.volumes) {
    if (await exists(() => host.docker.getVolume(volume.dockerName).inspect())) continue;
    if (volume.external) throw missingExternal('volume', volume.dockerName, host.hostId);
    await host.docker.createVolume({
      Name: volume.dockerName,
      Driver: volume.driver ?? 'local',
      Labels: labels,
    });
    host.log.info({ volume: volume.dockerName }, 'volume created');
  }
}

/** Removes the stack's networks on this host; volumes stay (they hold data, as with `docker compose down`). */
export async function removeStackNetworks(host: HostDocker, stack: string): Promise<string[]> {
  const networks = await host.docker.listNetworks({
    filters: { label: [`${LABEL_STACK}=${stack}`, `${LABEL_HOST}=${host.hostId}`] },
  });
  const removed: string[] = [];
  for (const network of networks) {
    try {
      await host.docker.getNetwork(network.Id).remove();
      removed.push(network.Name);
      host.log.info({ network: network.Name }, 'network removed');
    } catch (error) {
      if (!isNotFound(error)) throw new Error(`cannot remove network ${network.Name}: ${messageOf(error)}`);
    }
  }
  return removed;
}

async function exists(inspect: () => Promise<unknown>): Promise<boolean> {
  try {
    await inspect();
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
