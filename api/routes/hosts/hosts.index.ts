import { createRouter } from '../../lib/create-router.js';
import * as handlers from './hosts.handlers.js';
import * as routes from './hosts.routes.js';

export const hostsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.remove, handlers.remove);
