import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { type RateLimitInfo, rateLimiter } from 'hono-rate-limiter';
import type { ApiEnv } from '../../lib/env.js';
import { parseDuration } from '../../stack/duration.js';
import { isPublic } from './auth.js';
import { errorJson } from './errors.js';
import type { AppEnv } from './types.js';

// Two limits, counted in this process's memory (hono-rate-limiter's MemoryStore): Graphium runs one API
// process, and a restart forgetting the counts costs an attacker nothing it could not wait out anyway.
// - Failed authentications per client address: guessing tokens, or a client stuck on a revoked one,
//   gets 429 for the rest of the window instead of a database look-up per try.
// - Mutating calls per token (per address for anonymous callers): a runaway script cannot flood
//   Temporal with operations or the audit log with rows.
// Both answer `429 rate_limited` with `Retry-After` (seconds until the window resets).

export interface RateLimits {
  /** Failed authentications (401) one client address may have per window; 0 turns the limit off. */
  authFailures: number;
  /** POST, PUT, PATCH and DELETE calls one token (or anonymous address) may make per window; 0: off. */
  mutations: number;
  windowMs: number;
  /** How many reverse proxies in front of the API append to `X-Forwarded-For` (0: use the socket's peer). */
  trustedProxies: number;
}

/** Far above what the CLI, a CI job or the test suite does in a minute; low enough to stop a guessing loop. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  authFailures: 60,
  mutations: 600,
  windowMs: 60_000,
  trustedProxies: 0,
};

export function rateLimitsFromEnv(env: ApiEnv): RateLimits {
  return {
    authFailures: env.GRAPHIUM_RATE_LIMIT_AUTH_FAILURES,
    mutations: env.GRAPHIUM_RATE_LIMIT_MUTATIONS,
    windowMs: parseDuration(env.GRAPHIUM_RATE_LIMIT_WINDOW) ?? DEFAULT_RATE_LIMITS.windowMs,
    trustedProxies: env.GRAPHIUM_TRUSTED_PROXIES,
  };
}

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The client's address: the socket's peer, or with N trusted proxies the address the outermost of them
 * saw (each proxy appends its peer to X-Forwarded-For, so it is the N-th entry from the right). An
 * in-process request (`app.request()` in tests) has no socket.
 */
export function clientAddress(c: Context, trustedProxies: number): string {
  if (trustedProxies > 0) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    const client = hops[Math.max(0, hops.length - trustedProxies)];
    if (client) return client;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The 429 answer; `property` is where the limiter put this request's count (RateLimitInfo). */
function tooManyRequests(what: string, property: string, windowMs: number) {
  return (c: Context<AppEnv>) => {
    const info = (c as Context).get(property) as RateLimitInfo | undefined;
    const resetMs = info?.resetTime ? info.resetTime.getTime() - Date.now() : windowMs;
    const seconds = Math.max(1, Math.ceil(resetMs / 1000));
    c.header('Retry-After', String(seconds));
    return errorJson(c, 429, 'rate_limited', `${what}; retry in ${seconds} s`, { retryAfter: seconds });
  };
}

/**
 * Runs before authentication and counts only the requests it refused with 401, per address. Once an
 * address is over the limit every request from it gets 429 until the window ends, valid tokens
 * included: the limiter cannot know a token is valid without the look-up it exists to spare.
 */
export function limitFailedAuthentications(limits: RateLimits): MiddlewareHandler<AppEnv> {
  return rateLimiter<AppEnv>({
    windowMs: limits.windowMs,
    limit: limits.authFailures,
    keyGenerator: (c) => clientAddress(c, limits.trustedProxies),
    skip: (c) => limits.authFailures === 0 || isPublic(c.req.method, c.req.path),
    skipSuccessfulRequests: true,
    requestWasSuccessful: (c) => c.res.status !== 401,
    standardHeaders: false,
    requestPropertyName: 'authFailureLimit',
    requestStorePropertyName: 'authFailureLimitStore',
    handler: tooManyRequests(
      'too many failed authentications from this address',
      'authFailureLimit',
      limits.windowMs,
    ),
  });
}

/** Runs after authentication: the caller is known by its token, so one client's burst is its own. */
export function limitMutations(limits: RateLimits): MiddlewareHandler<AppEnv> {
  return rateLimiter<AppEnv>({
    windowMs: limits.windowMs,
    limit: limits.mutations,
    keyGenerator: (c) => {
      const principal = c.var.principal;
      if (!principal) return `address:${clientAddress(c, limits.trustedProxies)}`;
      // The bootstrap admin token has no row, so no id: its name is unique.
      return principal.tokenId ? `token:${principal.tokenId}` : `name:${principal.name}`;
    },
    skip: (c) => limits.mutations === 0 || !MUTATING_METHODS.has(c.req.method),
    standardHeaders: false,
    requestPropertyName: 'mutationLimit',
    requestStorePropertyName: 'mutationLimitStore',
    handler: tooManyRequests('too many changes by this token', 'mutationLimit', limits.windowMs),
  });
}
