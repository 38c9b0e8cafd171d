import type { Hook } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { ComposeError, formatPath } from '../../compose/index.js';
import { isUnstorableValue } from '../../db/errors.js';
import { PlacementError } from '../../stack/index.js';
import { ApiError, errorJson } from './errors.js';
import { redactTokens } from './redact-path.js';
import { isTemporalUnreachable } from './temporal-calls.js';
import type { AppEnv } from './types.js';

// The only places that turn failures into HTTP responses: zod validation (defaultHook), thrown
// errors (onError), unknown paths (notFound) and oversized bodies (payloadTooLarge).

export const MAX_BODY_BYTES = 1024 * 1024;
/** A stack write may carry a whole project: its files (10 MiB at most, decoded) as base64 in JSON. */
export const MAX_PROJECT_BODY_BYTES = 15 * 1024 * 1024;

const targetNames: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'header' };

export function validationIssues(error: ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** Zod validation failures of any route: 400 with every issue, so a client fixes its request in one go. */
export const defaultHook: Hook<unknown, AppEnv, string, Response | undefined> = (result, c) => {
  if (result.success) return undefined;
  const issues = validationIssues(result.error);
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  const where = targetNames[result.target] ?? result.target;
  return errorJson(c, 400, 'invalid_request', `invalid request ${where}: ${summary.join('; ')}`, { issues });
};

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof ApiError) return errorJson(c, error.status, error.code, error.message, error.details);
  if (error instanceof ComposeError) {
    return errorJson(c, 400, 'invalid_compose', error.message, { issues: error.issues });
  }
  if (error instanceof PlacementError) {
    return errorJson(c, 422, 'unprocessable', error.message, { reason: error.reason, issues: error.issues });
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return errorJson(c, 409, 'conflict', 'an operation is already running for this resource');
  }
  if (error instanceof WorkflowNotFoundError) return errorJson(c, 404, 'not_found', error.message);
  if (error instanceof HTTPException && error.status < 500) return fromHttpException(c, error);
  if (isUnstorableValue(error)) {
    return errorJson(
      c,
      400,
      'invalid_request',
      'a value in the request cannot be stored: it holds a NUL character or a number out of range',
    );
  }
  // A Temporal call that no service turned into its own 503 (they all should): still not a bug of ours.
  if (isTemporalUnreachable(error)) {
    c.var.deps?.log.warn(
      { err: error, method: c.req.method, path: redactTokens(c.req.path) },
      'Temporal unavailable',
    );
    return errorJson(c, 503, 'unavailable', 'Temporal is unavailable; retry');
  }
  c.var.deps?.log.error(
    { err: loggableError(error), method: c.req.method, path: redactTokens(c.req.path) },
    'request failed',
  );
  return errorJson(c, 500, 'internal', 'internal error');
};

/**
 * Database errors carry their query parameters, token hashes among them: keep the query and the cause,
 * drop the values.
 */
export function loggableError(error: unknown): unknown {
  if (!(error instanceof Error) || !('params' in error)) return error;
  const withoutParams = (text: string | undefined) => text?.replace(/\nparams: .*$/m, '');
  return {
    type: error.name,
    message: withoutParams(error.message),
    cause: error.cause instanceof Error ? error.cause.message : undefined,
    stack: withoutParams(error.stack),
  };
}

/** Hono's own 4xx exceptions (malformed JSON from its validator, a media-type gate) in our shape. */
function fromHttpException(c: Context<AppEnv>, error: HTTPException): Response {
  if (error.status === 413) return payloadTooLarge(c);
  if (error.status === 415) {
    const given = c.req.header('content-type') ?? 'none';
    return errorJson(c, 400, 'invalid_request', `unsupported Content-Type (${given})`);
  }
  if (error.status === 401) return errorJson(c, 401, 'unauthorized', error.message);
  if (error.status === 403) return errorJson(c, 403, 'forbidden', error.message);
  if (error.status === 404) return errorJson(c, 404, 'not_found', error.message);
  return errorJson(c, 400, 'invalid_request', error.message || 'bad request');
}

/**
 * Unknown paths get 404; a known path asked with a method it does not have gets 405 with `Allow`
 * (RFC 9110), so a client can tell a typo in the path from the wrong verb. The route table is read
 * when the first such request comes, after every router is mounted.
 */
export function notFoundHandler(app: { routes: readonly { method: string; path: string }[] }) {
  let patterns: { method: string; pattern: RegExp }[] | undefined;
  const handler: NotFoundHandler<AppEnv> = (c) => {
    patterns ??= app.routes
      // Middleware registers as ALL; wildcard routes (static assets) name no resource.
      .filter((route) => route.method !== 'ALL' && !route.path.includes('*'))
      .map((route) => ({ method: route.method, pattern: routePattern(route.path) }));
    const methods = new Set(patterns.filter((route) => route.pattern.test(c.req.path)).map((r) => r.method));
    // A route that has the method and still said "not found" (an unknown asset name) means just that.
    const asked = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    if (methods.size === 0 || methods.has(asked)) {
      return errorJson(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
    }
    // Hono answers HEAD with the GET route.
    if (methods.has('GET')) methods.add('HEAD');
    const allow = [...methods].sort().join(', ');
    c.header('Allow', allow);
    return errorJson(
      c,
      405,
      'method_not_allowed',
      `${c.req.method} is not allowed on ${c.req.path}; use ${allow}`,
    );
  };
  return handler;
}

/** `/api/v1/stacks/:id` → a regular expression matching that path with any one segment for `:id`. */
function routePattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

export function payloadTooLarge(c: Context): Response {
  const limit = isStackWrite(c) ? MAX_PROJECT_BODY_BYTES : MAX_BODY_BYTES;
  return errorJson(
    c,
    413,
    'payload_too_large',
    `request body exceeds ${limit} bytes (${limit / 1024 / 1024} MiB)`,
  );
}

/** POST /stacks and PUT /stacks/:id: the writes that may upload a project's files. */
export function isStackWrite(c: Context): boolean {
  const { method, path } = c.req;
  return (
    (method === 'POST' && /\/stacks\/?$/.test(path)) || (method === 'PUT' && /\/stacks\/[^/]+\/?$/.test(path))
  );
}
