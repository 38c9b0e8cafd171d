import { createRouter } from '../../lib/create-router.js';
import * as handlers from './stack-variables.handlers.js';
import * as routes from './stack-variables.routes.js';

export const stackVariablesRouter = createRouter()
  .openapi(routes.get, handlers.get)
  .openapi(routes.put, handlers.put);
