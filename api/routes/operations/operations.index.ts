import { createRouter } from '../../lib/create-router.js';
import * as handlers from './operations.handlers.js';
import * as routes from './operations.routes.js';

export const operationsRouter = createRouter()
  .openapi(routes.types, handlers.types)
  .openapi(routes.run, handlers.runType)
  .openapi(routes.deploy, handlers.deploy)
  .openapi(routes.stop, handlers.stop)
  .openapi(routes.start, handlers.start)
  .openapi(routes.remove, handlers.remove);
