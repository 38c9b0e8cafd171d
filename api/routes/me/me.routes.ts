import { createRoute, z } from '@hono/zod-openapi';
import { roles } from '../../../contracts/vocabulary.js';
import { requireRole } from '../../lib/auth.js';
import { errorResponses } from '../../lib/errors.js';
import { jsonContent } from '../../lib/schemas.js';

const me = z
  .object({
    name: z
      .string()
      .openapi({ description: 'The token’s name (`bootstrap-admin` for GRAPHIUM_ADMIN_TOKEN)' }),
    role: z.enum(roles),
    temporalUi: z
      .object({
        url: z.string().openapi({ example: 'http://127.0.0.1:8233' }),
        namespace: z.string().openapi({ example: 'default' }),
      })
      .nullable()
      .openapi({
        description:
          'Where a run can be opened in the Temporal Web UI (`TEMPORAL_UI_URL`): ' +
          '`<url>/namespaces/<namespace>/workflows/<workflowId>/<runId>/history`; null when not configured',
      }),
  })
  .openapi('Me');

export const get = createRoute({
  method: 'get',
  path: '/me',
  tags: ['tokens'],
  summary: 'Who the token is: its name and role, so a client shows only what that role may do',
  middleware: [requireRole('viewer')] as const,
  responses: { 200: jsonContent(me, 'The caller'), ...errorResponses },
});
