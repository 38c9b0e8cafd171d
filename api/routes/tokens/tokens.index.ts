import { createRouter } from '../../lib/create-router.js';
import * as handlers from './tokens.handlers.js';
import * as routes from './tokens.routes.js';

export const tokensRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.revoke, handlers.revoke);
