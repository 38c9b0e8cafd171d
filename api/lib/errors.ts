import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

// The API's one failure vocabulary: handlers throw ApiError, and `onError` (api/lib/error-handlers.ts)
// turns it into `{error: {code, message, details?}}`. Codes are stable; messages are for people.

export type ErrorCode =
  | 'invalid_request'
  | 'invalid_compose'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'not_awaiting'
  | 'payload_too_large'
  | 'unprocessable'
  | 'rate_limited'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new ApiError(400, 'invalid_request', message, details);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);

/** Writes an error body and remembers its code for the audit log. */
export function errorJson(
  c: Context,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): Response {
  c.set('errorCode', code);
  return c.json({ error: details ? { code, message, details } : { code, message } }, status);
}

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

const response = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorSchema } },
});

/** Any authenticated call can meet the failed-authentication limit; mutating ones the per-token limit too. */
const rateLimited = {
  ...response(
    '`rate_limited`: too many failed authentications from this address, or too many changes by this ' +
      'token, in the current window (`details.retryAfter`)',
  ),
  headers: {
    'Retry-After': {
      description: 'Seconds until the window resets',
      required: true,
      schema: { type: 'string' as const, pattern: '^[0-9]+$' },
    },
  },
};

/** Spread into every authenticated route, so /openapi.json documents each failure a client can see. */
export const errorResponses = {
  400: response('Bad input: `invalid_request` (with `details.issues`) or `invalid_compose`'),
  401: response('`unauthorized`: missing, unknown or revoked bearer token'),
  403: response(
    '`forbidden`: the token’s role is too low for this request (a route, or a bind mount in a stack)',
  ),
  404: response('`not_found`'),
  409: response('`conflict`: the resource exists or is in use'),
  422: response('`unprocessable`: valid shape, impossible request'),
  429: rateLimited,
} as const;

/** Added to routes that call Temporal and cannot answer without it. */
export const temporalErrorResponses = {
  503: response('`unavailable`: Temporal did not answer in time; retry'),
} as const;

/** Added to routes that hold a connection open per client (event streams): a second reason for 429. */
export const streamLimitResponses = {
  429: {
    ...response(
      '`too_many_requests`: the token already holds `GRAPHIUM_MAX_STREAMS_PER_TOKEN` open event streams ' +
        '(`details.open`, `details.limit`); close one first. Or `rate_limited`, with `Retry-After`: too ' +
        'many failed authentications from this address',
    ),
    headers: { 'Retry-After': { ...rateLimited.headers['Retry-After'], required: false } },
  },
} as const;

/** Added to routes that take a request body. */
export const bodyErrorResponses = {
  413: response('`payload_too_large`: the body exceeds 1 MiB'),
} as const;
