import { createRouter } from '../../lib/create-router.js';
import * as handlers from './registries.handlers.js';
import * as routes from './registries.routes.js';

export const registriesRouter = createRouter()
  .openapi(routes.put, handlers.put)
  .openapi(routes.list, handlers.list)
  .openapi(routes.remove, handlers.remove);
