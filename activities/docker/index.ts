import type Docker from 'dockerode';
import type { Logger } from '../../lib/log.js';
import { checkDaemon } from './client.js';
import { createContainer, startContainer, waitReady } from './containers.js';
import { HostDocker } from './host-docker.js';
import { pullImage } from './images.js';
import { prepareHost } from './networks.js';
import {
  listStackContainers,
  pruneStack,
  removeStack,
  rollbackDeployment,
  startContainers,
  stopContainers,
} from './stack-sweeps.js';
import type {
  ContainerRequest,
  PrepareHostInput,
  PruneInput,
  RollbackInput,
  ServiceSelection,
  WaitReadyInput,
} from './types.js';

export interface HostDescription {
  hostId: string;
  dockerId: string;
  daemonName: string;
  serverVersion: string;
}

/**
 * The Docker activities one agent runs against its own daemon. `hostId` is bound here: results
 * and log lines say which host answered, and labels keep hosts that share a daemon apart.
 * `dockerHost` is the DOCKER_HOST the client was built from, so errors name the right daemon.
 */
export function createDockerActivities(docker: Docker, hostId: string, log: Logger, dockerHost?: string) {
  const host = new HostDocker(docker, hostId, log);
  return {
    describeHost: async (): Promise<HostDescription> => ({
      hostId,
      ...(await checkDaemon(docker, dockerHost)),
    }),
    prepareHost: (input: PrepareHostInput) => prepareHost(host, input),
    pullImage: (input: { image: string }) => pullImage(host, input.image),
    createContainer: (request: ContainerRequest) => createContainer(host, request),
    startContainer: (input: { name: string }) => startContainer(host, input.name),
    waitReady: (input: WaitReadyInput) => waitReady(host, input),
    listStackContainers: (input: { stack: string }) => listStackContainers(host, input.stack),
    rollbackDeployment: (input: RollbackInput) => rollbackDeployment(host, input),
    pruneStack: (input: PruneInput) => pruneStack(host, input),
    removeStack: (input: { stack: string }) => removeStack(host, input.stack),
    stopContainers: (input: ServiceSelection) => stopContainers(host, input),
    startContainers: (input: ServiceSelection) => startContainers(host, input),
  };
}

export type DockerActivities = ReturnType<typeof createDockerActivities>;
export type * from './types.js';
