import { listAuditEntries } from '../../../db/repositories/audit.js';
import { findStackAnyState } from '../../../db/repositories/stacks.js';
import { notFound } from '../../lib/errors.js';
import { iso } from '../../lib/schemas.js';
import type { AppRouteHandler } from '../../lib/types.js';
import type * as routes from './audit.routes.js';

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { limit, actor, stackId, status } = c.req.valid('query');
  const { db } = c.var.deps;
  let stack: { id: string; name: string } | undefined;
  if (stackId !== undefined) {
    stack = await findStackAnyState(db, stackId);
    if (!stack) throw notFound(`no stack "${stackId}"`);
  }
  const rows = await listAuditEntries(db, { limit, actor, stack, status: statusRange(status) });
  return c.json({ items: rows.map((row) => ({ ...row, at: iso(row.at) })) }, 200);
};

/** `403` is one status; `4xx` the hundred of its class. */
function statusRange(status: string | undefined): { from: number; to: number } | undefined {
  if (status === undefined) return undefined;
  if (status.endsWith('xx')) {
    const from = Number(status[0]) * 100;
    return { from, to: from + 99 };
  }
  return { from: Number(status), to: Number(status) };
}
