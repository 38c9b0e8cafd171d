import { readStackVariables, replaceStackVariables } from '../../../db/repositories/stack-variables.js';
import { findLiveStack } from '../../../db/repositories/stacks.js';
import { currentPrincipal } from '../../lib/auth.js';
import { notFound } from '../../lib/errors.js';
import type { AppRouteHandler } from '../../lib/types.js';
import { REDACTED } from '../stacks/stacks.handlers.js';
import type * as routes from './stack-variables.routes.js';

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { db, keyring } = c.var.deps;
  const { id } = c.req.valid('param');
  const stack = await findLiveStack(db, id);
  if (!stack) throw notFound(`no stack "${id}"`);
  const variables = await readStackVariables(db, keyring, stack.id);
  const viewer = currentPrincipal(c).role === 'viewer';
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
  // Names only: values are secrets.
  c.set('auditDetails', { names: Object.keys(variables).sort() });
  await replaceStackVariables(db, keyring, stack.id, variables);
  return c.json({ variables }, 200);
};
