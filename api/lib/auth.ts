import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Role } from '../../contracts/vocabulary.js';
import { findTokenByHash, touchToken } from '../../db/repositories/tokens.js';
import { loggableError } from './error-handlers.js';
import { ApiError } from './errors.js';
import type { AppEnv, Principal } from './types.js';

export const API_PREFIX = '/api/v1';
export const TOKEN_PREFIX = 'gph_';
/** The actor name of the bootstrap `GRAPHIUM_ADMIN_TOKEN`, which has no database row. */
export const BOOTSTRAP_ACTOR = 'bootstrap-admin';
/** `last_used_at` is a hint for admins, not an access log: one write per token per minute is enough. */
const TOUCH_INTERVAL_MS = 60_000;

const roleRank: Record<Role, number> = { viewer: 0, deployer: 1, admin: 2 };

/** 32 random bytes: unguessable, so a fast hash (not a password KDF) is the right way to store it. */
export function generateTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Anyone may read the health check and the API description; everything else needs a token. */
export function isPublic(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const rest = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : null;
  return (
    rest === '/healthz' || rest === '/openapi.json' || rest === '/docs' || !!rest?.startsWith('/docs/assets/')
  );
}

const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);

/** Resolves the bearer token to a principal: the bootstrap admin token first, then `api_tokens`. */
export function authenticate(adminToken: string): MiddlewareHandler<AppEnv> {
  // Comparing fixed-length digests keeps timingSafeEqual from leaking the admin token's length.
  const adminDigest = Buffer.from(hashToken(adminToken), 'hex');
  const lastTouched = new Map<string, number>();

  return async (c, next) => {
    if (isPublic(c.req.method, c.req.path)) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
    if (!match) throw unauthorized('missing bearer token: send Authorization: Bearer <token>');
    const secret = match[1]!;
    const hash = hashToken(secret);
    if (timingSafeEqual(Buffer.from(hash, 'hex'), adminDigest)) {
      c.set('principal', { name: BOOTSTRAP_ACTOR, role: 'admin', tokenId: null });
      return next();
    }
    const { db, log } = c.var.deps;
    const row = await findTokenByHash(db, hash);
    if (!row || row.revokedAt) throw unauthorized('invalid or revoked token');
    c.set('principal', { name: row.name, role: row.role, tokenId: row.id });
    const now = Date.now();
    if (now - (lastTouched.get(row.id) ?? 0) >= TOUCH_INTERVAL_MS) {
      lastTouched.set(row.id, now);
      touchToken(db, row.id, new Date(now)).catch((error) =>
        log.warn({ err: loggableError(error), tokenId: row.id }, 'cannot update last_used_at'),
      );
    }
    return next();
  };
}

/** Route middleware: admin > deployer > viewer. */
export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    assertRole(c, role);
    return next();
  };
}

/** For roles known only inside a handler (an operation type's, an action's): the same 403 as requireRole. */
export function assertRole(c: Context<AppEnv>, role: Role): void {
  if (!hasRole(currentPrincipal(c).role, role)) throw new ApiError(403, 'forbidden', `requires role ${role}`);
}

export function hasRole(actual: Role, required: Role): boolean {
  return roleRank[actual] >= roleRank[required];
}

export function currentPrincipal(c: Context<AppEnv>): Principal {
  const principal = c.var.principal;
  if (!principal) throw unauthorized('missing bearer token');
  return principal;
}
