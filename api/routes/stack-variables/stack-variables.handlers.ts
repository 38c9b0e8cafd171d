import { readStackVariables, replaceStackVariables } from '../../../db/repositories/stack-variables.js';
import { addStackVersion, findLiveStack, getStackVersion } from '../../../db/repositories/stacks.js';
import { currentPrincipal } from '../../lib/auth.js';
import { notFound } from '../../lib/errors.js';
import type { AppRouteHandler } from '../../lib/types.js';
import { requireAdminForHostAccess, storedVersion } from '../../services/stack-versions.js';
import { reloadVersion } from '../stacks/stack-document.js';
import { REDACTED } from '../stacks/stacks.handlers.js';
import type * as routes from './stack-variables.routes.js';

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { db, keyring } = c.var.deps;
  const { id } = c.req.valid('param');
  const stack = await findLiveStack(db, id);
  if (!stack) throw notFound(`no stack "${id}"`);
  const variables = await readStackVariables(db, keyring, stack.id);
  const viewer = currentPrincipal(c).role === 'viewer';
  if (!viewer) {
    c.set('auditRead', true);
    c.set('auditTarget', stack.id);
    c.set('auditDetails', { names: Object.keys(variables).sort() });
  }
  return c.json(
    { variables: viewer ? Object.fromEntries(Object.keys(variables).map((k) => [k, REDACTED])) : variables },
    200,
  );
};

export const put: AppRouteHandler<typeof routes.put> = async (c) => {
  const { db, keyring } = c.var.deps;
  const { id } = c.req.valid('param');
  const { variables } = c.req.valid('json');
  const stack = await findLiveStack(db, id);
  if (!stack) throw notFound(`no stack "${id}"`);
  c.set('auditTarget', stack.id);
  const { role, name } = currentPrincipal(c);
  // The current project loaded with the new variables must load, and stay within the caller's role
  // (a variable can turn a relative bind into an absolute one), before anything is stored.
  const current = await getStackVersion(db, stack.id, stack.currentVersion);
  if (!current) throw new Error(`stack ${stack.id} has no version ${stack.currentVersion}`);
  const reloaded = await reloadVersion(db, keyring, current, variables, c.var.deps.composePolicy);
  requireAdminForHostAccess(role, reloaded, stack.name, c.var.deps.composePolicy);
  await replaceStackVariables(db, keyring, stack.id, variables);
  const saved = await addStackVersion(db, stack.id, await storedVersion({ db, keyring }, reloaded, name));
  if (!saved) throw notFound(`no stack "${id}"`);
  // Names only: values are secrets.
  c.set('auditDetails', { names: Object.keys(variables).sort(), version: saved.stack.currentVersion });
  return c.json({ variables, version: saved.stack.currentVersion }, 200);
};
