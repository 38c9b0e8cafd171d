import type Docker from 'dockerode';
import { LABEL_HOST, LABEL_STACK } from '../../contracts/vocabulary.js';
import type { Logger } from '../../lib/log.js';
import { isNotFound, isNotModified, statusOf } from './errors.js';

/**
 * The narrow Docker surface the activities use, bound to one host. Every call that changes
 * something is logged with the container it touched; every one is safe to repeat.
 */
export class HostDocker {
  constructor(
    readonly docker: Docker,
    readonly hostId: string,
    readonly log: Logger,
  ) {}

  /** Containers of a stack that this host's agent owns (agents sharing a daemon never see each other's). */
  async stackContainers(stack: string): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_STACK}=${stack}`, `${LABEL_HOST}=${this.hostId}`] },
    });
  }

  async inspect(nameOrId: string): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
      return await this.docker.getContainer(nameOrId).inspect();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async start(nameOrId: string): Promise<void> {
    try {
      await this.docker.getContainer(nameOrId).start();
      this.log.info({ container: nameOrId }, 'container started');
    } catch (error) {
      if (!isNotModified(error)) throw error;
    }
  }

  /** Stops with the container's own grace period (Compose `stop_grace_period`, else Docker's 10 s). */
  async stop(nameOrId: string): Promise<void> {
    try {
      await this.docker.getContainer(nameOrId).stop();
      this.log.info({ container: nameOrId }, 'container stopped');
    } catch (error) {
      if (!isNotModified(error) && !isNotFound(error)) throw error;
    }
  }

  /** Kills a container that still runs: callers that want a graceful end `stop` it first. */
  async remove(nameOrId: string): Promise<boolean> {
    try {
      await this.docker.getContainer(nameOrId).remove({ force: true, v: false });
      this.log.info({ container: nameOrId }, 'container removed');
      return true;
    } catch (error) {
      // 404: already gone; 409 "removal already in progress": someone else is finishing it.
      if (isNotFound(error) || statusOf(error) === 409) return false;
      throw error;
    }
  }

  async rename(nameOrId: string, newName: string): Promise<void> {
    await this.docker.getContainer(nameOrId).rename({ name: newName });
    this.log.info({ container: nameOrId, newName }, 'container renamed');
  }

  /** The last lines a container printed, to explain why it exited. */
  async logTail(nameOrId: string, lines = 10): Promise<string> {
    try {
      const buffer = (await this.docker
        .getContainer(nameOrId)
        .logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
      return demultiplex(buffer).trim();
    } catch {
      return '';
    }
  }
}

/** Docker multiplexes stdout/stderr of non-TTY containers in 8-byte-header frames. */
function demultiplex(buffer: Buffer): string {
  const parts: string[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return parts.length > 0 ? parts.join('') : buffer.toString('utf8');
}
