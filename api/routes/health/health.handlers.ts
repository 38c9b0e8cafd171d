import type { AppRouteHandler } from '../../lib/types.js';
import type * as routes from './health.routes.js';

// Liveness only: it does not touch the database or Temporal, so a slow dependency never restarts the API.
export const healthz: AppRouteHandler<typeof routes.healthz> = (c) => c.json({ status: 'ok' as const }, 200);
