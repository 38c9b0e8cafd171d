import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { BuiltInOperation } from '../../../contracts/vocabulary.js';
import { findLiveStack } from '../../../db/repositories/stacks.js';
import type { OperationType } from '../../../workflows/kit/operation-type.js';
import { findOperationType, operationTypes } from '../../../workflows/operations.js';
import { assertRole, currentPrincipal } from '../../lib/auth.js';
import { ApiError, notFound } from '../../lib/errors.js';
import type { AppEnv, AppRouteHandler } from '../../lib/types.js';
import {
  findReplayedOperation,
  requestHash,
  type StartedOperation,
  startOperation,
} from '../../services/operations.js';
import type * as routes from './operations.routes.js';

interface OperationCall {
  type: OperationType;
  stackRef: string;
  idempotencyKey: string | undefined;
  version?: number;
  /** As the client sent them: checked here against the type's schema. */
  options?: unknown;
}

/**
 * Idempotency keys belong to the token that sent them (the bootstrap admin has no token id), so two
 * clients can never replay each other's requests even when their tokens share a name.
 */
function scopedKey(c: Context<AppEnv>, key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  return `${currentPrincipal(c).tokenId ?? 'bootstrap'}:${key}`;
}

/**
 * The type's options as its schema parses them; every problem named at `options.<key>`. The route's
 * own schema takes any object (each type has its own), so options that do not fit the type are a
 * well-formed request the type cannot run: 422, like a version given to a type that takes none.
 */
function validOptions(type: OperationType, options: unknown): Record<string, unknown> | undefined {
  if (options === undefined) return undefined;
  const parsed = type.options.safeParse(options);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issues = parsed.error.issues.map((issue) => ({
    path: ['options', ...issue.path].join('.'),
    message: issue.message,
  }));
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new ApiError(422, 'unprocessable', `invalid options for ${type.name}: ${summary}`, { issues });
}

function requireType(name: string): OperationType {
  const type = findOperationType(name);
  if (!type) {
    throw notFound(`no operation type "${name}" (known: ${operationTypes.map((t) => t.name).join(', ')})`);
  }
  return type;
}

async function run(c: Context<AppEnv>, call: OperationCall) {
  assertRole(c, call.type.role);
  const options = validOptions(call.type, call.options);
  if (call.version !== undefined && !call.type.placesVersion) {
    throw new ApiError(
      422,
      'unprocessable',
      `${call.type.name} acts on the version last deployed; it takes no version`,
    );
  }
  const deps = c.var.deps;
  const requestedBy = currentPrincipal(c).name;
  const idempotencyKey = scopedKey(c, call.idempotencyKey);
  const hash = requestHash({ version: call.version, options });
  let started: StartedOperation | undefined;
  if (idempotencyKey) {
    started = await findReplayedOperation(deps.db, {
      requestedBy,
      idempotencyKey,
      stackRef: call.stackRef,
      operation: call.type.name,
      requestHash: hash,
    });
  }
  if (!started) {
    const stack = await findLiveStack(deps.db, call.stackRef);
    if (!stack) throw notFound(`no stack "${call.stackRef}"`);
    c.set('auditTarget', stack.id);
    started = await startOperation(deps, {
      stack,
      type: call.type,
      version: call.version,
      requestedBy,
      idempotencyKey,
      requestHash: hash,
      options,
    });
  }
  const { deployment, replayed } = started;
  c.set('auditTarget', deployment.stackId);
  c.set('auditDetails', {
    operation: call.type.name,
    deploymentId: deployment.id,
    ...(replayed ? { replayed } : {}),
  });
  if (replayed) c.header('Idempotent-Replayed', 'true');
  return { deploymentId: deployment.id, workflowId: deployment.workflowId, runId: deployment.runId };
}

export const runType: AppRouteHandler<typeof routes.run> = async (c) => {
  const { id, type } = c.req.valid('param');
  const { version, options } = c.req.valid('json');
  const started = await run(c, {
    type: requireType(type),
    stackRef: id,
    idempotencyKey: c.req.valid('header')['idempotency-key'],
    version,
    options,
  });
  return c.json(started, 202);
};

export const types: AppRouteHandler<typeof routes.types> = async (c) =>
  c.json(
    {
      items: operationTypes.map((type) => ({
        name: type.name,
        description: type.description,
        role: type.role,
        placesVersion: type.placesVersion,
        options: z.toJSONSchema(type.options, { io: 'input' }) as Record<string, unknown>,
        actions: Object.entries(type.actions).map(([name, action]) => ({ name, ...action })),
      })),
    },
    200,
  );

// The first routes, one per built-in operation, stay as aliases of POST /stacks/:id/operations/:type.

const alias = (c: Context<AppEnv>, operation: BuiltInOperation, stackRef: string, idempotencyKey?: string) =>
  run(c, { type: requireType(operation), stackRef, idempotencyKey });

export const deploy: AppRouteHandler<typeof routes.deploy> = async (c) => {
  const { version, ...options } = c.req.valid('json');
  const started = await run(c, {
    type: requireType('deploy'),
    stackRef: c.req.valid('param').id,
    idempotencyKey: c.req.valid('header')['idempotency-key'],
    version,
    options: Object.keys(options).length === 0 ? undefined : options,
  });
  return c.json(started, 202);
};

// stop, start and delete take no body: the stack and an optional Idempotency-Key are all they need.
export const stop: AppRouteHandler<typeof routes.stop> = async (c) =>
  c.json(await alias(c, 'stop', c.req.valid('param').id, c.req.valid('header')['idempotency-key']), 202);

export const start: AppRouteHandler<typeof routes.start> = async (c) =>
  c.json(await alias(c, 'start', c.req.valid('param').id, c.req.valid('header')['idempotency-key']), 202);

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const started = await run(c, {
    type: requireType('delete'),
    stackRef: c.req.valid('param').id,
    idempotencyKey: c.req.valid('header')['idempotency-key'],
    options: c.req.valid('query').volumes === 'true' ? { volumes: true } : undefined,
  });
  return c.json(started, 202);
};
