import type Docker from 'dockerode';
import type { Logger } from '../../lib/log.js';
import { checkDaemon } from './client.js';

export interface HostDescription {
  hostId: string;
  dockerId: string;
  daemonName: string;
  serverVersion: string;
}

/**
 * The Docker activities one agent runs against its own daemon. `hostId` is bound here so every
 * result and log line says which host answered.
 */
export function createDockerActivities(docker: Docker, hostId: string, log: Logger) {
  return {
    async describeHost(): Promise<HostDescription> {
      return { hostId, ...(await checkDaemon(docker)) };
    },
  };
}

export type DockerActivities = ReturnType<typeof createDockerActivities>;
