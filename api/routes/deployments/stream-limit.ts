import { ApiError } from '../../lib/errors.js';
import type { Principal } from '../../lib/types.js';

// Each open event stream holds a connection and a subscription for as long as the client likes, so
// one token may hold only so many at once (`GRAPHIUM_MAX_STREAMS_PER_TOKEN`); a dashboard tab holds
// one per deployment page it shows. The count lives in this process: a second API replica has its own.

export const DEFAULT_MAX_STREAMS_PER_TOKEN = 32;

export class StreamLimit {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number = DEFAULT_MAX_STREAMS_PER_TOKEN) {}

  /** Counts one more stream for the caller, or throws 429; call the returned function exactly once when it closes. */
  acquire(principal: Principal): () => void {
    const key = principal.tokenId ?? `name:${principal.name}`;
    const count = this.open.get(key) ?? 0;
    if (count >= this.max) {
      throw new ApiError(
        429,
        'too_many_requests',
        `token "${principal.name}" already has ${count} open event streams (the limit is ${this.max}); ` +
          'close one, or follow the deployment with GET /deployments/{id}',
        { open: count, limit: this.max },
      );
    }
    this.open.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    };
  }

  openFor(principal: Principal): number {
    return this.open.get(principal.tokenId ?? `name:${principal.name}`) ?? 0;
  }
}
