import { listAuditEntries } from '../../../db/repositories/audit.js';
import { iso } from '../../lib/schemas.js';
import type { AppRouteHandler } from '../../lib/types.js';
import type * as routes from './audit.routes.js';

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const rows = await listAuditEntries(c.var.deps.db, c.req.valid('query'));
  return c.json({ items: rows.map((row) => ({ ...row, at: iso(row.at) })) }, 200);
};
