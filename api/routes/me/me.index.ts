import { createRouter } from '../../lib/create-router.js';
import * as handlers from './me.handlers.js';
import * as routes from './me.routes.js';

export const meRouter = createRouter().openapi(routes.get, handlers.get);
