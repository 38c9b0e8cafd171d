import { createRouter } from '../../lib/create-router.js';
import * as handlers from './stacks.handlers.js';
import * as routes from './stacks.routes.js';

export const stacksRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.getVersion, handlers.getVersion)
  .openapi(routes.update, handlers.update);
