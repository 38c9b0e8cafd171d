import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Role, TokenRole } from '../../contracts/vocabulary.js';
import { findTokenByHash, touchToken } from '../../db/repositories/tokens.js';
import { loggableError } from './error-handlers.js';
import { ApiError } from './errors.js';
import type { AppDeps, AppEnv, Principal } from './types.js';

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

/** The one route a token of role `codec` may call, and the only one that reads the codec cookie. */
export const CODEC_DECODE_PATH = `${API_PREFIX}/temporal-codec/decode`;
/** Where a browser trades a codec token for the cookie the Temporal UI then sends (docs/temporal-ui.md). */
export const CODEC_SIGN_IN_PATH = `${API_PREFIX}/temporal-codec/sign-in`;
/**
 * The codec cookie: the Temporal UI cannot send our Authorization header, but with its codec setting
 * "include credentials" the browser sends this cookie, so no token ever sits in a URL the UI serves or
 * a log records. HttpOnly, scoped to the codec path.
 */
export const CODEC_COOKIE = 'graphium_codec';

/**
 * The codec endpoint's calls: POSTs that change nothing (they decode), made by the Temporal UI for every
 * page it shows; not counted against the change limit. Each decode is audited (api/lib/audit.ts).
 */
export function isCodecRead(path: string): boolean {
  return path === CODEC_DECODE_PATH;
}

/** The secret a request presents: its bearer header, or on the decode route only, the codec cookie. */
function presentedSecret(c: Context<AppEnv>): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
  if (match) return match[1];
  return c.req.path === CODEC_DECODE_PATH ? getCookie(c, CODEC_COOKIE) || undefined : undefined;
}

/**
 * A stored token's principal; a `codec` token gets the lowest role and the codecOnly mark, and is
 * refused everywhere but the decode route by authenticate.
 */
export function principalOf(row: { id: string; name: string; role: TokenRole }): Principal {
  return row.role === 'codec'
    ? { name: row.name, role: 'viewer', tokenId: row.id, codecOnly: true }
    : { name: row.name, role: row.role, tokenId: row.id };
}

/** The principal a secret stands for, or undefined (unknown or revoked): the bootstrap token first. */
export async function principalForSecret(
  deps: { db: AppDeps['db']; adminToken: string },
  secret: string,
): Promise<Principal | undefined> {
  const hash = Buffer.from(hashToken(secret), 'hex');
  // Comparing fixed-length digests keeps timingSafeEqual from leaking the admin token's length.
  if (timingSafeEqual(hash, Buffer.from(hashToken(deps.adminToken), 'hex'))) {
    return { name: BOOTSTRAP_ACTOR, role: 'admin', tokenId: null };
  }
  const row = await findTokenByHash(deps.db, hash.toString('hex'));
  return row && !row.revokedAt ? principalOf(row) : undefined;
}

/** Resolves the bearer token to a principal: the bootstrap admin token first, then `api_tokens`. */
export function authenticate(adminToken: string): MiddlewareHandler<AppEnv> {
  // Comparing fixed-length digests keeps timingSafeEqual from leaking the admin token's length.
  const adminDigest = Buffer.from(hashToken(adminToken), 'hex');
  const lastTouched = new Map<string, number>();

  return async (c, next) => {
    if (isPublic(c.req.method, c.req.path) || isCodecSignIn(c.req.path)) return next();
    const secret = presentedSecret(c);
    if (!secret) throw unauthorized('missing bearer token: send Authorization: Bearer <token>');
    const hash = hashToken(secret);
    if (timingSafeEqual(Buffer.from(hash, 'hex'), adminDigest)) {
      c.set('principal', { name: BOOTSTRAP_ACTOR, role: 'admin', tokenId: null });
      return next();
    }
    const { db, log } = c.var.deps;
    const row = await findTokenByHash(db, hash);
    if (!row || row.revokedAt) throw unauthorized('invalid or revoked token');
    const principal = principalOf(row);
    c.set('principal', principal);
    if (principal.codecOnly && c.req.path !== CODEC_DECODE_PATH) {
      throw new ApiError(403, 'forbidden', `a codec token may only call POST ${CODEC_DECODE_PATH}`);
    }
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

/** The sign-in page and form check the token they are given themselves (temporal-codec handlers). */
function isCodecSignIn(path: string): boolean {
  return path === CODEC_SIGN_IN_PATH;
}

/** The codec route's gate: an admin, or a token of role codec. */
export const requireCodecAccess: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!currentPrincipal(c).codecOnly) assertRole(c, 'admin');
  return next();
};

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
