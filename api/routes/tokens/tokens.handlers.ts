import { insertToken, listTokens, revokeToken } from '../../../db/repositories/tokens.js';
import type { ApiTokenRow } from '../../../db/schema.js';
import { currentPrincipal, generateTokenSecret, hashToken } from '../../lib/auth.js';
import { notFound } from '../../lib/errors.js';
import { iso, isoOrNull } from '../../lib/schemas.js';
import type { AppRouteHandler } from '../../lib/types.js';
import type * as routes from './tokens.routes.js';

/** The public view of a token row: the hash stays in the database. */
function toToken(row: ApiTokenRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    lastUsedAt: isoOrNull(row.lastUsedAt),
    revokedAt: isoOrNull(row.revokedAt),
  };
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { name, role } = c.req.valid('json');
  const secret = generateTokenSecret();
  const row = await insertToken(c.var.deps.db, {
    name,
    role,
    tokenHash: hashToken(secret),
    createdBy: currentPrincipal(c).name,
  });
  c.set('auditTarget', row.id);
  c.set('auditDetails', { name, role });
  return c.json({ id: row.id, name: row.name, role: row.role, token: secret }, 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const rows = await listTokens(c.var.deps.db);
  return c.json({ items: rows.map(toToken) }, 200);
};

export const revoke: AppRouteHandler<typeof routes.revoke> = async (c) => {
  const { id } = c.req.valid('param');
  const row = await revokeToken(c.var.deps.db, id);
  if (!row) throw notFound(`no token with id ${id}`);
  c.set('auditDetails', { name: row.name });
  return c.body(null, 204);
};
