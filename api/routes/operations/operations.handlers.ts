import type { Context } from 'hono';
import type { Operation } from '../../../contracts/vocabulary.js';
import { findLiveStack } from '../../../db/repositories/stacks.js';
import type { OperationOptions } from '../../../workflows/operation-types.js';
import { currentPrincipal } from '../../lib/auth.js';
import { notFound } from '../../lib/errors.js';
import type { AppEnv, AppRouteHandler } from '../../lib/types.js';
import { findReplayedOperation, type StartedOperation, startOperation } from '../../services/operations.js';
import type * as routes from './operations.routes.js';

interface OperationCall {
  operation: Operation;
  stackRef: string;
  idempotencyKey: string | undefined;
  version?: number;
  options?: OperationOptions;
}

/**
 * Idempotency keys belong to the token that sent them (the bootstrap admin has no token id), so two
 * clients can never replay each other's requests even when their tokens share a name.
 */
function scopedKey(c: Context<AppEnv>, key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  return `${currentPrincipal(c).tokenId ?? 'bootstrap'}:${key}`;
}

async function run(c: Context<AppEnv>, call: OperationCall) {
  const deps = c.var.deps;
  const requestedBy = currentPrincipal(c).name;
  const idempotencyKey = scopedKey(c, call.idempotencyKey);
  let started: StartedOperation | undefined;
  if (idempotencyKey) {
    started = await findReplayedOperation(deps.db, {
      requestedBy,
      idempotencyKey,
      stackRef: call.stackRef,
      operation: call.operation,
    });
  }
  if (!started) {
    const stack = await findLiveStack(deps.db, call.stackRef);
    if (!stack) throw notFound(`no stack "${call.stackRef}"`);
    c.set('auditTarget', stack.id);
    started = await startOperation(deps, {
      stack,
      operation: call.operation,
      version: call.version,
      requestedBy,
      idempotencyKey,
      options: call.options,
    });
  }
  const { deployment, replayed } = started;
  c.set('auditTarget', deployment.stackId);
  c.set('auditDetails', {
    operation: call.operation,
    deploymentId: deployment.id,
    ...(replayed ? { replayed } : {}),
  });
  if (replayed) c.header('Idempotent-Replayed', 'true');
  return { deploymentId: deployment.id, workflowId: deployment.workflowId, runId: deployment.runId };
}

export const deploy: AppRouteHandler<typeof routes.deploy> = async (c) => {
  const { version, maxParallelPerHost } = c.req.valid('json');
  const started = await run(c, {
    operation: 'deploy',
    stackRef: c.req.valid('param').id,
    idempotencyKey: c.req.valid('header')['idempotency-key'],
    version,
    options: maxParallelPerHost === undefined ? undefined : { maxParallelPerHost },
  });
  return c.json(started, 202);
};

// stop, start and delete take no body: the stack and an optional Idempotency-Key are all they need.
export const stop: AppRouteHandler<typeof routes.stop> = async (c) =>
  c.json(
    await run(c, {
      operation: 'stop',
      stackRef: c.req.valid('param').id,
      idempotencyKey: c.req.valid('header')['idempotency-key'],
    }),
    202,
  );

export const start: AppRouteHandler<typeof routes.start> = async (c) =>
  c.json(
    await run(c, {
      operation: 'start',
      stackRef: c.req.valid('param').id,
      idempotencyKey: c.req.valid('header')['idempotency-key'],
    }),
    202,
  );

export const remove: AppRouteHandler<typeof routes.remove> = async (c) =>
  c.json(
    await run(c, {
      operation: 'delete',
      stackRef: c.req.valid('param').id,
      idempotencyKey: c.req.valid('header')['idempotency-key'],
    }),
    202,
  );
