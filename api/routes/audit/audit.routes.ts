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
      actor: text().min(1).optional().openapi({ description: 'Only this actor (a token name)' }),
      stackId: text()
        .min(1)
        .optional()
        .openapi({
          description:
            'Only requests about this stack (its id or name, deleted stacks too): its creation, versions, ' +
            'operations, and cancels of its operations',
        }),
      status: z
        .string()
        .regex(/^[1-5]([0-9]{2}|xx)$/, 'expected an HTTP status such as 403, or a class such as 4xx')
        .optional()
        .openapi({
          description: 'Only answers with this HTTP status (`403`) or class (`4xx`)',
          example: '4xx',
        }),
    }),
  },
  responses: { 200: jsonContent(listOf(auditEntry), 'Audit entries'), ...errorResponses },
});
