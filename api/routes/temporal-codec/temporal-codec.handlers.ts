import type { Payload } from '@temporalio/common';
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { CODEC_COOKIE, CODEC_DECODE_PATH, principalForSecret } from '../../lib/auth.js';
import { ApiError } from '../../lib/errors.js';
import { DEFAULT_RATE_LIMITS } from '../../lib/rate-limit.js';
import type { AppEnv, AppRouteHandler } from '../../lib/types.js';
import type * as routes from './temporal-codec.routes.js';

interface JsonPayload {
  metadata?: Record<string, string> | undefined;
  data?: string | undefined;
}

const fromJson = (payload: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(payload.data ?? '', 'base64'),
});

const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value).toString('base64'),
    ]),
  ),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

async function decodePayloads(
  codec: { decode(p: Payload[]): Promise<Payload[]> },
  body: { payloads: JsonPayload[] },
) {
  return { payloads: (await codec.decode(body.payloads.map(fromJson))).map(toJson) };
}

export const decode: AppRouteHandler<typeof routes.decode> = async (c) => {
  const body = c.req.valid('json');
  // Who read what is the audit row (api/lib/audit.ts); how many payloads, never their contents.
  c.set('auditDetails', { payloads: body.payloads.length });
  return c.json(await decodePayloads(c.var.deps.payloadCodec, body), 200);
};

const COOKIE_MAX_AGE_S = 12 * 60 * 60;

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${title}</h1>${body}</body></html>`;

export const signInPage: AppRouteHandler<typeof routes.signInPage> = (c) =>
  c.html(
    page(
      'Graphium: decode payloads in the Temporal UI',
      '<p>Paste a token of role <code>codec</code> (<code>graphium token create temporal-ui --role codec</code>). ' +
        'This browser then sends it as an HttpOnly cookie to the codec endpoint only; in the Temporal UI, turn on ' +
        '"include cross-origin credentials" in the codec server settings if the server does not.</p>' +
        '<form method="post"><input type="password" name="token" autocomplete="off" size="60" required> ' +
        '<button>Sign in</button></form>',
    ),
    200,
  );

/**
 * Whether the browser reached the API over HTTPS: directly, or through one of the trusted reverse
 * proxies (GRAPHIUM_TRUSTED_PROXIES) that says so in X-Forwarded-Proto, as TLS is usually ended there.
 */
function overHttps(c: Context<AppEnv>): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return forwarded(c, 'x-forwarded-proto') === 'https';
}

/** What a trusted reverse proxy says of the browser's request (its first value), if one is trusted. */
function forwarded(c: Context<AppEnv>, header: string): string | undefined {
  if ((c.var.deps.rateLimits ?? DEFAULT_RATE_LIMITS).trustedProxies === 0) return undefined;
  return c.req.header(header)?.split(',')[0]?.trim() || undefined;
}

export const signIn: AppRouteHandler<typeof routes.signIn> = async (c) => {
  // Only the form this API serves may sign a browser in: another site posting its own token would
  // have this browser's decodes audited under, and cut off with, a token of the attacker's.
  const origin = c.req.header('origin');
  const host = forwarded(c, 'x-forwarded-host') ?? c.req.header('host');
  if (origin !== undefined && (!URL.canParse(origin) || new URL(origin).host !== host)) {
    throw new ApiError(
      403,
      'forbidden',
      `sign-in is accepted only from this API's own form, not from ${origin}`,
    );
  }
  const { token } = c.req.valid('form');
  const principal = await principalForSecret(c.var.deps, token);
  if (principal) c.set('principal', principal);
  if (!principal) throw new ApiError(401, 'unauthorized', 'invalid or revoked token');
  if (!principal.codecOnly && principal.role !== 'admin') {
    throw new ApiError(403, 'forbidden', 'requires a token of role codec or admin');
  }
  setCookie(c, CODEC_COOKIE, token, {
    path: CODEC_DECODE_PATH,
    httpOnly: true,
    sameSite: 'Strict',
    secure: overHttps(c),
    maxAge: COOKIE_MAX_AGE_S,
  });
  return c.html(
    page(
      'Signed in',
      `<p>As <code>${escapeHtml(principal.name)}</code>, for 12 hours or until the token is revoked. ` +
        'The Temporal UI now shows payloads decoded.</p>',
    ),
    200,
  );
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
