import { createRouter } from '../../lib/create-router.js';
import * as handlers from './deployments.handlers.js';
import * as routes from './deployments.routes.js';

export const deploymentsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.events, handlers.events)
  .openapi(routes.cancel, handlers.cancel);
