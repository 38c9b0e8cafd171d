import { createRouter } from '../../lib/create-router.js';
import * as handlers from './deployment-actions.handlers.js';
import * as routes from './deployment-actions.routes.js';

export const deploymentActionsRouter = createRouter().openapi(routes.take, handlers.take);
