import { deleteRegistry, listRegistries, putRegistry } from '../../../db/repositories/registries.js';
import type { RegistryRow } from '../../../db/schema.js';
import { normalizeRegistryHost } from '../../../stack/image-ref.js';
import { currentPrincipal } from '../../lib/auth.js';
import { notFound } from '../../lib/errors.js';
import { iso } from '../../lib/schemas.js';
import type { AppRouteHandler } from '../../lib/types.js';
import type * as routes from './registries.routes.js';

/** The public view: the sealed password stays in the database. */
function toRegistry(row: RegistryRow) {
  return {
    host: row.host,
    username: row.username,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export const put: AppRouteHandler<typeof routes.put> = async (c) => {
  const body = c.req.valid('json');
  const { db, keyring } = c.var.deps;
  // Stored as image references name it, so `index.docker.io` and `docker.io` are one registry.
  const host = normalizeRegistryHost(body.host);
  const { row, created } = await putRegistry(db, keyring, {
    ...body,
    host,
    createdBy: currentPrincipal(c).name,
  });
  c.set('auditTarget', row.host);
  c.set('auditDetails', { username: row.username, created });
  return created ? c.json(toRegistry(row), 201) : c.json(toRegistry(row), 200);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const rows = await listRegistries(c.var.deps.db);
  return c.json({ items: rows.map(toRegistry) }, 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const host = normalizeRegistryHost(c.req.valid('param').host);
  c.set('auditTarget', host);
  if (!(await deleteRegistry(c.var.deps.db, host))) throw notFound(`no credentials for registry ${host}`);
  return c.body(null, 204);
};
