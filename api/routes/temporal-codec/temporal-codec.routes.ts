import { createRoute, z } from '@hono/zod-openapi';
import { requireCodecAccess } from '../../lib/auth.js';
import { bodyErrorResponses, errorResponses } from '../../lib/errors.js';
import { jsonBody, jsonContent } from '../../lib/schemas.js';

// Temporal's remote codec protocol (what the Temporal UI and `temporal --codec-endpoint` speak): a
// POST to `<endpoint>/decode` with `{payloads: [...]}` in protobuf JSON (bytes as base64) answers the
// same shape, each payload opened. Decoded payloads hold every stack's environment values and secrets:
// admin tokens and tokens of role codec only. The CLI sends the header (`--codec-auth "Bearer <token>"`);
// the Temporal UI cannot, so its browser sends the codec cookie (docs/temporal-ui.md). Never a token in
// a URL: the UI serves its codec URL to whoever opens it, and URLs end up in logs.

const base64 = z.string().openapi({ format: 'byte', example: 'anNvbi9wbGFpbg==' });

const payload = z
  .object({
    metadata: z.record(z.string(), base64).optional().openapi({ description: 'Metadata values, base64' }),
    data: base64.optional().openapi({ description: 'The payload bytes, base64' }),
  })
  .openapi('TemporalPayload');

const payloads = z
  .object({ payloads: z.array(payload).max(1000) })
  .openapi('TemporalPayloads', { description: 'temporal.api.common.v1.Payloads in protobuf JSON' });

const decodeDescription =
  'Opens Temporal payloads sealed by Graphium (docs/security.md) for the Temporal UI and CLI. A payload ' +
  'that cannot be opened comes back as `{"$graphiumRefused": "<why>"}` in JSON; one that was never ' +
  'sealed comes back as it is.';

export const decode = createRoute({
  method: 'post',
  path: '/temporal-codec/decode',
  tags: ['temporal'],
  summary: 'Decode Temporal payloads (Temporal codec endpoint; a token of role admin or codec)',
  description: `${decodeDescription} The token comes as \`Authorization: Bearer\` or as the cookie set by \`/temporal-codec/sign-in\`. Each call is audited.`,
  middleware: [requireCodecAccess] as const,
  request: { body: jsonBody(payloads) },
  responses: {
    200: jsonContent(payloads, 'The payloads, decoded'),
    ...errorResponses,
    ...bodyErrorResponses,
  },
});

const html = (description: string) => ({
  content: { 'text/html': { schema: z.string() } },
  description,
});

export const signInPage = createRoute({
  method: 'get',
  path: '/temporal-codec/sign-in',
  tags: ['temporal'],
  // No bearer header: the page is public, and the form checks the token it is sent itself.
  security: [],
  summary: 'A form that trades a codec (or admin) token for the codec cookie, for the Temporal UI',
  description:
    'The Temporal UI cannot send an Authorization header, so its browser calls the codec endpoint with ' +
    'a cookie instead (its codec setting "include credentials"); this page sets it. No token is needed to open it.',
  responses: { 200: html('The sign-in form') },
});

export const signIn = createRoute({
  method: 'post',
  path: '/temporal-codec/sign-in',
  tags: ['temporal'],
  // No bearer header: the page is public, and the form checks the token it is sent itself.
  security: [],
  summary: 'Set the codec cookie (HttpOnly) from a token of role codec or admin, sent in the form body',
  request: {
    body: {
      content: {
        'application/x-www-form-urlencoded': {
          schema: z.object({ token: z.string().min(1).max(200) }),
        },
      },
      required: true,
    },
  },
  responses: { 200: html('Signed in: the cookie is set'), ...errorResponses },
});
