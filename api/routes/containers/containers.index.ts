import { createRouter } from '../../lib/create-router.js';
import * as handlers from './containers.handlers.js';
import * as routes from './containers.routes.js';

export const containersRouter = createRouter().openapi(routes.list, handlers.list);
