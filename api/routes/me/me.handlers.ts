import { currentPrincipal } from '../../lib/auth.js';
import type { AppRouteHandler } from '../../lib/types.js';
import type * as routes from './me.routes.js';

export const get: AppRouteHandler<typeof routes.get> = (c) => {
  const { name, role } = currentPrincipal(c);
  const { temporalUiUrl, namespace } = c.var.deps;
  return c.json({ name, role, temporalUi: temporalUiUrl ? { url: temporalUiUrl, namespace } : null }, 200);
};
