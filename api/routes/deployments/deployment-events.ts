import { streamSSE } from 'hono/streaming';
import { currentPrincipal } from '../../lib/auth.js';
import type { AppRouteHandler } from '../../lib/types.js';
import { deploymentDataForRole } from './container-output.js';
import { requireDeployment } from './deployment-view.js';
import { sseTiming } from './deployment-watchers.js';
import type * as routes from './deployments.routes.js';
import { revocationTiming } from './token-liveness.js';

// GET /deployments/:id/events: the format is documented in deployments.routes.ts (SSE_FORMAT) and in
// docs/http-api.md; the CLI and the dashboard rely on it. Every stream of a deployment reads the one
// shared watcher (deployment-watchers.ts), so a thousand followers cost Temporal what one does; a
// reconnecting client needs no event ids, because the first event is always the whole state.

export { sseTiming };

export const events: AppRouteHandler<typeof routes.events> = async (c) => {
  const { deps, feeds } = c.var;
  // Resolved before the stream opens, so an unknown id is an ordinary 404 JSON error, and a token
  // over its stream limit an ordinary 429.
  const found = await requireDeployment(deps, c.req.valid('param').id);
  const principal = currentPrincipal(c);
  const release = feeds.streams.acquire(principal);
  const { signal } = c.req.raw;
  try {
    return streamSSE(c, async (stream) => {
      const subscription = feeds.watchers.subscribe(found);
      let closed = false;
      const stop = () => {
        closed = true;
        subscription.close();
      };
      // The client went away: leave the watcher, which stops once no one is left.
      stream.onAbort(stop);
      signal?.addEventListener('abort', stop, { once: true });
      // The request was authenticated once; a stream outlives it, so a revoked token must end it.
      let revoked = false;
      const { tokenId } = principal;
      const revocationCheck = tokenId
        ? setInterval(() => {
            void feeds.liveness.isLive(tokenId).then((live) => {
              if (live || closed) return;
              revoked = true;
              stop();
            });
          }, revocationTiming.checkMs)
        : undefined;
      revocationCheck?.unref();
      try {
        while (!closed) {
          const update = await subscription.next(sseTiming.keepAliveMs);
          if (closed) break;
          if (update.kind === 'keep-alive') {
            // A comment line: ignored by SSE parsers, but keeps proxies from closing an idle stream.
            await stream.write(': keep-alive\n\n');
          } else if (update.kind === 'error') {
            const body = { error: { code: 'internal', message: 'internal error' } };
            await stream.writeSSE({ event: 'error', data: JSON.stringify(body) });
            break;
          } else {
            // The watcher is shared by every follower: each stream shows it as its token may read it.
            const data = deploymentDataForRole(principal.role, update.data);
            await stream.writeSSE({ event: 'progress', data });
            if (update.terminal) {
              await stream.writeSSE({ event: 'end', data });
              break;
            }
          }
        }
        if (revoked) {
          const body = { error: { code: 'unauthorized', message: 'the token was revoked' } };
          await stream.writeSSE({ event: 'error', data: JSON.stringify(body) });
        }
      } finally {
        clearInterval(revocationCheck);
        signal?.removeEventListener('abort', stop);
        subscription.close();
        release();
      }
    });
  } catch (error) {
    release();
    throw error;
  }
};
