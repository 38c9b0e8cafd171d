import { createRouter } from '../../lib/create-router.js';
import * as handlers from './drift.handlers.js';
import * as routes from './drift.routes.js';

export const driftRouter = createRouter()
  .openapi(routes.get, handlers.get)
  .openapi(routes.putSetting, handlers.putSetting);
