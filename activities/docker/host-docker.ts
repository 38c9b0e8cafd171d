import type Docker from 'dockerode';
import { LABEL_HOST, LABEL_STACK } from '../../contracts/vocabulary.js';
import type { Logger } from '../../lib/log.js';
import type { AgentFiles } from './agent-files.js';
import { bounded, DOCKER_DISK_CALL_MS, STOP_MARGIN_MS, withSignal } from './deadline.js';
import { isNotFound, isNotModified, statusOf } from './errors.js';

/** Docker's own stop grace period when a container sets none. */
const DOCKER_DEFAULT_STOP_S = 10;

/**
 * The narrow Docker surface the activities use, bound to one host. Every call that changes
 * something is logged with the container it touched; every one is safe to repeat, and every one
 * is bounded in time (deadline.ts). `files` is the agent's data directory on this host.
 */
export class HostDocker {
  constructor(
    readonly docker: Docker,
    readonly hostId: string,
    readonly log: Logger,
    readonly files: AgentFiles,
  ) {}

  /** Containers of a stack that this host's agent owns (agents sharing a daemon never see each other's). */
  async stackContainers(stack: string): Promise<Docker.ContainerInfo[]> {
    return bounded('listing containers', (abortSignal) =>
      this.docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_STACK}=${stack}`, `${LABEL_HOST}=${this.hostId}`] },
        abortSignal,
      }),
    );
  }

  async inspect(nameOrId: string): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
      return await bounded(`inspecting container ${nameOrId}`, (abortSignal) =>
        this.docker.getContainer(nameOrId).inspect({ abortSignal }),
      );
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The image's inspect data, or undefined when the host does not hold it. */
  async inspectImage(reference: string): Promise<Docker.ImageInspectInfo | undefined> {
    try {
      return await bounded(`inspecting image ${reference}`, (abortSignal) =>
        this.docker.getImage(reference).inspect(withSignal(abortSignal, {})),
      );
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async create(options: Docker.ContainerCreateOptions): Promise<string> {
    const container = await bounded(
      `creating container ${options.name}`,
      (abortSignal) =>
        this.docker.createContainer({ ...options, abortSignal } as Docker.ContainerCreateOptions),
      DOCKER_DISK_CALL_MS,
    );
    return container.id;
  }

  async start(nameOrId: string): Promise<void> {
    try {
      await bounded(`starting container ${nameOrId}`, (abortSignal) =>
        this.docker.getContainer(nameOrId).start({ abortSignal }),
      );
      this.log.info({ container: nameOrId }, 'container started');
    } catch (error) {
      if (!isNotModified(error)) throw error;
    }
  }

  /** Stops with the container's own grace period (Compose `stop_grace_period`, else Docker's 10 s). */
  async stop(nameOrId: string): Promise<void> {
    const container = await this.inspect(nameOrId);
    if (!container) return;
    const { StopTimeout } = container.Config as { StopTimeout?: number };
    const graceMs = (StopTimeout ?? DOCKER_DEFAULT_STOP_S) * 1000;
    try {
      await bounded(
        `stopping container ${nameOrId}`,
        (abortSignal) => this.docker.getContainer(nameOrId).stop({ abortSignal }),
        graceMs + STOP_MARGIN_MS,
      );
      this.log.info({ container: nameOrId }, 'container stopped');
    } catch (error) {
      if (!isNotModified(error) && !isNotFound(error)) throw error;
    }
  }

  /** Kills a container that still runs: callers that want a graceful end `stop` it first. */
  async remove(nameOrId: string): Promise<boolean> {
    try {
      await bounded(
        `removing container ${nameOrId}`,
        (abortSignal) => this.docker.getContainer(nameOrId).remove({ force: true, v: false, abortSignal }),
        DOCKER_DISK_CALL_MS,
      );
      this.log.info({ container: nameOrId }, 'container removed');
      return true;
    } catch (error) {
      // 404: already gone; 409 "removal already in progress": someone else is finishing it.
      if (isNotFound(error) || statusOf(error) === 409) return false;
      throw error;
    }
  }

  async rename(nameOrId: string, newName: string): Promise<void> {
    await bounded(`renaming container ${nameOrId}`, (abortSignal) =>
      this.docker.getContainer(nameOrId).rename({ name: newName, abortSignal }),
    );
    this.log.info({ container: nameOrId, newName }, 'container renamed');
  }

  /** The last lines a container printed, to explain why it exited. */
  async logTail(nameOrId: string, lines = 10): Promise<string> {
    try {
      const buffer = (await bounded(`reading the logs of ${nameOrId}`, (abortSignal) =>
        this.docker
          .getContainer(nameOrId)
          .logs({ stdout: true, stderr: true, tail: lines, follow: false, abortSignal }),
      )) as unknown as Buffer;
      return demultiplex(buffer).trim();
    } catch {
      return '';
    }
  }
}

/** Docker multiplexes stdout/stderr of non-TTY containers in 8-byte-header frames; a TTY's log is raw. */
function demultiplex(buffer: Buffer): string {
  const parts: string[] = [];
  let offset = 0;
  const isFrame = (at: number) =>
    (buffer[at] ?? 9) <= 2 && buffer[at + 1] === 0 && buffer[at + 2] === 0 && buffer[at + 3] === 0;
  while (offset + 8 <= buffer.length && isFrame(offset)) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size).toString('utf8'));
    offset += 8 + size;
  }
  return parts.length > 0 ? parts.join('') : buffer.toString('utf8');
}
