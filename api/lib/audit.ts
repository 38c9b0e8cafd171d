import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { insertAuditEntry } from '../../db/repositories/audit.js';
import { loggableError } from './error-handlers.js';
import { redactTokens } from './redact-path.js';
import type { AppEnv } from './types.js';

// Every mutating request is recorded after its response is decided, refusals (401, 403, 4xx) included,
// and so is every read of secret values (stack variables shown unmasked).
// action = `<METHOD> <route pattern>` (`DELETE /api/v1/hosts/:id`): derived from the route table, so a
// new route is audited without a list to keep in sync. target = the resource id; details stay small
// (token id, error code, facts a handler adds) and never hold secrets or request bodies.

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_PATH_LENGTH = 200;

/** The pattern of the route that matched, or undefined when none did (a 404). */
function routePattern(c: Parameters<MiddlewareHandler>[0]): string | undefined {
  return matchedRoutes(c).find((route) => route.method === c.req.method)?.path;
}

/** The `:id` segment of the path, read positionally from the pattern; works even when auth refused early. */
function idFromPath(pattern: string, path: string): string | undefined {
  const names = pattern.split('/');
  const values = path.split('/');
  const index = names.indexOf(':id');
  if (index < 0 || names.length !== values.length) return undefined;
  // PostgreSQL text cannot hold NUL; `%00` in a path must not cost the request its audit row.
  return safeDecode(values[index]!).replaceAll('\0', '\uFFFD').slice(0, MAX_PATH_LENGTH);
}

/** A malformed escape (`%E0%A4%A`) is kept as sent: the audit row must be written whatever the path. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export const auditMutations: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!MUTATING_METHODS.has(c.req.method)) {
    await next();
    // Reads are not audited, but for those that return secret values (the handler says so).
    if (!c.var.auditRead) return;
  } else {
    await next();
  }
  const pattern = routePattern(c);
  const principal = c.var.principal;
  const errorCode = c.var.errorCode;
  const entry = {
    actor: principal?.name ?? 'anonymous',
    action: `${c.req.method} ${pattern ?? redactTokens(c.req.path).slice(0, MAX_PATH_LENGTH)}`,
    target: c.var.auditTarget ?? (pattern ? idFromPath(pattern, c.req.path) : undefined) ?? null,
    status: c.res.status,
    details: {
      ...c.var.auditDetails,
      ...(principal?.tokenId ? { tokenId: principal.tokenId } : {}),
      ...(errorCode ? { error: errorCode } : {}),
    },
  };
  const { db, log } = c.var.deps;
  // The response is already decided; a failed audit write must be loud but cannot undo the request.
  await insertAuditEntry(db, entry).catch((error) =>
    log.error({ err: loggableError(error), action: entry.action }, 'audit write failed'),
  );
};
