import Docker from 'dockerode';
import { bounded } from './deadline.js';

/** Builds the dockerode client for DOCKER_HOST (unix:///path or tcp://host:port); unset means the local socket. */
export function connectDocker(dockerHost?: string): Docker {
  if (!dockerHost) return new Docker({ socketPath: '/var/run/docker.sock' });
  if (dockerHost.startsWith('unix://')) return new Docker({ socketPath: dockerHost.slice('unix://'.length) });
  const url = new URL(dockerHost);
  return new Docker({ host: url.hostname, port: Number(url.port), protocol: 'http' });
}

export interface DaemonIdentity {
  dockerId: string;
  daemonName: string;
  serverVersion: string;
}

/** Answers who the daemon is, or throws a message that says which daemon could not be reached and why. */
export async function checkDaemon(docker: Docker, dockerHost?: string): Promise<DaemonIdentity> {
  const where = dockerHost ?? 'unix:///var/run/docker.sock';
  try {
    const info = await bounded('docker info', () => docker.info());
    return { dockerId: info.ID, daemonName: info.Name, serverVersion: info.ServerVersion };
  } catch (error) {
    throw new Error(`cannot reach the Docker daemon at ${where}: ${(error as Error).message}`);
  }
}

/**
 * How the daemon is, by `/_ping` within a few seconds: it answers; it is unreachable (its socket
 * refuses or is gone: stopped, or restarting); or it hangs (the socket accepts, nothing comes back:
 * frozen, deadlocked, its disk stuck).
 */
export type DaemonState = 'answers' | 'unreachable' | 'hangs';

export async function daemonState(docker: Docker): Promise<DaemonState> {
  try {
    await bounded('docker ping', () => docker.ping(), 5_000);
    return 'answers';
  } catch (error) {
    return error instanceof Error && error.message.startsWith('the Docker daemon did not answer')
      ? 'hangs'
      : 'unreachable';
  }
}
