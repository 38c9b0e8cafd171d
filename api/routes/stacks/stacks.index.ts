import { createRouter } from '../../lib/create-router.js';
import * as handlers from './stacks.handlers.js';
import * as routes from './stacks.routes.js';

export const stacksRouter = createRouter()
  // Documented below with their body marked required (see stackBody in stacks.routes.ts).
  .openapi({ ...routes.create, hide: true }, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.getVersion, handlers.getVersion)
  .openapi({ ...routes.update, hide: true }, handlers.update);

stacksRouter.openAPIRegistry.registerPath(routes.documentedStackRoute(routes.create));
stacksRouter.openAPIRegistry.registerPath(routes.documentedStackRoute(routes.update));
