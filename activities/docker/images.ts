import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { isNotFound, pullFailure } from './errors.js';
import type { HostDocker } from './host-docker.js';

interface PullEvent {
  status?: string;
  id?: string;
  error?: string;
  progressDetail?: { current?: number; total?: number };
}

/** Pulls an image unless the host already has it; heartbeats with progress so a stuck pull is noticed. */
export async function pullImage(host: HostDocker, image: string): Promise<{ pulled: boolean }> {
  try {
    await host.docker.getImage(image).inspect();
    return { pulled: false };
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  host.log.info({ image }, 'pulling image');
  try {
    const stream = await host.docker.pull(image);
    const signal = cancellationSignal();
    const onAbort = () => (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await new Promise<void>((resolve, reject) => {
        host.docker.modem.followProgress(
          stream,
          (error: Error | null) => (error ? reject(error) : resolve()),
          (event: PullEvent) => {
            if (event.error) reject(new Error(event.error));
            heartbeat({ status: event.status, layer: event.id, ...event.progressDetail });
          },
        );
      });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  } catch (error) {
    throw pullFailure(image, host.hostId, error);
  }
  host.log.info({ image }, 'image pulled');
  return { pulled: true };
}
