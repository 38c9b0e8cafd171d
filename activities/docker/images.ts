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
  const signal = cancellationSignal();
  try {
    const stream = await host.docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      // Destroying the stream ends followProgress as if the pull had finished: reject first.
      const onAbort = () => {
        reject(signal.reason ?? new Error('pull cancelled'));
        (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      host.docker.modem.followProgress(
        stream,
        (error: Error | null) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) reject(signal.reason ?? new Error('pull cancelled'));
          else if (error) reject(error);
          else resolve();
        },
        (event: PullEvent) => {
          if (event.error) reject(new Error(event.error));
          heartbeat({ status: event.status, layer: event.id, ...event.progressDetail });
        },
      );
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw pullFailure(image, host.hostId, error);
  }
  host.log.info({ image }, 'image pulled');
  return { pulled: true };
}
