import { createRouter } from '../../lib/create-router.js';
import * as handlers from './temporal-codec.handlers.js';
import * as routes from './temporal-codec.routes.js';

export const temporalCodecRouter = createRouter()
  .openapi(routes.decode, handlers.decode)
  .openapi(routes.signInPage, handlers.signInPage)
  .openapi(routes.signIn, handlers.signIn);
