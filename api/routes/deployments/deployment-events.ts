import { streamSSE } from 'hono/streaming';
import { currentPrincipal } from '../../lib/auth.js';
import { loggableError } from '../../lib/error-handlers.js';
import type { AppRouteHandler } from '../../lib/types.js';
import { isActive } from '../../services/deployment-state.js';
import { deploymentForRole } from './container-output.js';
import { type DeploymentJson, requireDeployment, viewDeployment } from './deployment-view.js';
import type * as routes from './deployments.routes.js';

// GET /deployments/:id/events: the format is documented in deployments.routes.ts (SSE_FORMAT) and in
// docs/http-api.md; the CLI relies on it. Polling the row and the `progress` query server-side keeps one code path
// for every client, and a reconnecting client needs no event ids: the first event is the whole state.

/** Mutable only so tests can shorten the waits; the documented values are these. */
export const sseTiming = { pollMs: 500, keepAliveMs: 15_000 };

export const events: AppRouteHandler<typeof routes.events> = async (c) => {
  const deps = c.var.deps;
  // Resolved before the stream opens, so an unknown id is an ordinary 404 JSON error.
  const first = await requireDeployment(deps, c.req.valid('param').id);
  const { role } = currentPrincipal(c);
  const { signal } = c.req.raw;
  return streamSSE(c, async (stream) => {
    let closed = false;
    const stop = () => {
      closed = true;
    };
    // The client went away: stop polling Temporal and the database for it.
    stream.onAbort(stop);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      let found = first;
      let sent = '';
      let lastWrite = Date.now();
      while (!closed) {
        const view: DeploymentJson = deploymentForRole(role, await viewDeployment(deps, found));
        const data = JSON.stringify(view);
        if (data !== sent) {
          await stream.writeSSE({ event: 'progress', data });
          sent = data;
          lastWrite = Date.now();
        }
        if (!isActive(view.status)) {
          await stream.writeSSE({ event: 'end', data });
          break;
        }
        if (Date.now() - lastWrite >= sseTiming.keepAliveMs) {
          // A comment line: ignored by SSE parsers, but keeps proxies from closing an idle stream.
          await stream.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        await stream.sleep(sseTiming.pollMs);
        found = await requireDeployment(deps, found.deployment.id);
      }
    } catch (error) {
      deps.log.error({ err: loggableError(error), deploymentId: first.deployment.id }, 'event stream failed');
      const body = { error: { code: 'internal', message: 'internal error' } };
      if (!closed) await stream.writeSSE({ event: 'error', data: JSON.stringify(body) });
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  });
};
