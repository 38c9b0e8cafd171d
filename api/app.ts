import { bodyLimit } from 'hono/body-limit';
import { auditMutations } from './lib/audit.js';
import { API_PREFIX, authenticate } from './lib/auth.js';
import { createRouter } from './lib/create-router.js';
import { serveDashboard } from './lib/dashboard.js';
import {
  isStackWrite,
  MAX_BODY_BYTES,
  MAX_PROJECT_BODY_BYTES,
  notFoundHandler,
  onError,
  payloadTooLarge,
} from './lib/error-handlers.js';
import { checkJsonSyntax } from './lib/json-body.js';
import { configureOpenApi } from './lib/openapi.js';
import { DEFAULT_RATE_LIMITS, limitFailedAuthentications, limitMutations } from './lib/rate-limit.js';
import { temporalUiCors } from './lib/temporal-ui-cors.js';
import type { AppDeps } from './lib/types.js';
import { DeploymentWatchers } from './routes/deployments/deployment-watchers.js';
import { StreamLimit } from './routes/deployments/stream-limit.js';
import { TokenLiveness } from './routes/deployments/token-liveness.js';
import { apiRoutes } from './routes/index.js';

export type { AppDeps } from './lib/types.js';

/** Every route's method, path, input and answers: what `hc<AppType>` (the CLI's client) is typed by. */
export type AppType = ReturnType<typeof createApp>;

/**
 * The whole HTTP API under /api/v1. Middleware order matters: the audit wrapper sees the final status
 * of everything inside it (refusals too, 429s included); failed authentications are counted around
 * auth, changes per token after it; auth runs before any body is read, so an anonymous client cannot
 * make us buffer a megabyte; JSON syntax is checked before routes validate shapes.
 */
const defaultBodyLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: payloadTooLarge });
const projectBodyLimit = bodyLimit({ maxSize: MAX_PROJECT_BODY_BYTES, onError: payloadTooLarge });

export function createApp(deps: AppDeps) {
  const app = createRouter();
  const limits = deps.rateLimits ?? DEFAULT_RATE_LIMITS;
  const feeds = {
    watchers: new DeploymentWatchers(deps),
    streams: new StreamLimit(deps.maxStreamsPerToken),
    liveness: new TokenLiveness(deps.db),
  };
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    c.set('feeds', feeds);
    await next();
  });
  // Before auth: a browser's CORS preflight carries no token.
  app.use(`${API_PREFIX}/temporal-codec/*`, temporalUiCors(deps.temporalUiUrl));
  app.use(
    `${API_PREFIX}/*`,
    auditMutations,
    limitFailedAuthentications(limits),
    authenticate(deps.adminToken),
    limitMutations(limits),
    (c, next) => (isStackWrite(c) ? projectBodyLimit : defaultBodyLimit)(c, next),
    checkJsonSyntax,
  );
  const routed = app.route(API_PREFIX, apiRoutes);
  configureOpenApi(app);
  serveDashboard(app);
  app.notFound(notFoundHandler(app));
  app.onError(onError);
  // Before the database closes: no watcher may poll it after the API stops.
  return Object.assign(routed, { stopWatchers: () => feeds.watchers.stopAll() });
}
