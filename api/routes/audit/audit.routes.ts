import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../lib/auth.js';
import { errorResponses } from '../../lib/errors.js';
import { integerParamWithDefault, isoDate, jsonContent, listOf, text } from '../../lib/schemas.js';

const auditEntry = z
  .object({
    id: z.number().int(),
    at: isoDate,
    actor: z.string().openapi({ description: 'Token name, `bootstrap-admin`, or `anonymous`' }),
    action: z.string().openapi({ example: 'POST /api/v1/stacks', description: '`<METHOD> <route pattern>`' }),
    target: z.string().nullable().openapi({ description: 'The id of the resource acted on, when known' }),
    status: z.number().int().openapi({ description: 'The HTTP status of the response' }),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');

export const list = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['audit'],
  summary: 'Recent mutating requests, refused ones included, newest first (admin)',
  middleware: [requireRole('admin')] as const,
  request: {
    query: z.object({
      limit: integerParamWithDefault(1, 1000, 100),
      actor: text().min(1).optional(),
    }),
  },
  responses: { 200: jsonContent(listOf(auditEntry), 'Audit entries'), ...errorResponses },
});
