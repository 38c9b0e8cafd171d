import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../lib/auth.js';
import { bodyErrorResponses, errorResponses } from '../../lib/errors.js';
import { jsonBody, jsonContent } from '../../lib/schemas.js';

// Temporal's remote codec protocol (what the Temporal UI and `temporal --codec-endpoint` speak): a
// POST to `<endpoint>/decode` with `{payloads: [...]}` in protobuf JSON (bytes as base64) answers the
// same shape, each payload opened. Decoded payloads hold every stack's environment values and secrets:
// admin tokens only. The Temporal UI cannot send our bearer header, so its endpoint holds the token
// in its path (docs/temporal-ui.md); the CLI sends the header (`--codec-auth "Bearer <token>"`).

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
  summary: 'Decode Temporal payloads (Temporal codec endpoint; bearer token of role admin)',
  description: decodeDescription,
  middleware: [requireRole('admin')] as const,
  request: { body: jsonBody(payloads) },
  responses: {
    200: jsonContent(payloads, 'The payloads, decoded'),
    ...errorResponses,
    ...bodyErrorResponses,
  },
});

export const decodeWithPathToken = createRoute({
  method: 'post',
  path: '/temporal-codec/{token}/decode',
  tags: ['temporal'],
  summary: 'Decode Temporal payloads, the token in the path (the Temporal UI’s codec endpoint)',
  description: `${decodeDescription} The Temporal UI sends no Authorization header, so an admin token goes in the path: set the UI's codec endpoint to \`<api>/api/v1/temporal-codec/<token>\`.`,
  middleware: [requireRole('admin')] as const,
  request: {
    params: z.object({ token: z.string().min(1).openapi({ description: 'An API token of role admin' }) }),
    body: jsonBody(payloads),
  },
  responses: {
    200: jsonContent(payloads, 'The payloads, decoded'),
    ...errorResponses,
    ...bodyErrorResponses,
  },
});
