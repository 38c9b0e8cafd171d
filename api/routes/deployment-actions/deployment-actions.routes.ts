import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../lib/auth.js';
import { bodyErrorResponses, errorResponses, errorSchema, temporalErrorResponses } from '../../lib/errors.js';
import { emptyJsonBodyAsObject } from '../../lib/json-body.js';
import { jsonContent } from '../../lib/schemas.js';
import { deploymentSchema } from '../deployments/deployments.routes.js';

// Actions on a running deployment (promote or abort a canary, resume a paused update, roll back a
// blue-green switch): each is a Temporal Update the workflow validates and answers at once.

const tags = ['deployments'];

const actionParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, description: 'The deployment id' }),
  action: z
    .string()
    .min(1)
    .openapi({
      param: { name: 'action', in: 'path' },
      description: 'An action of its type',
      example: 'promote',
    }),
});

export const take = createRoute({
  method: 'post',
  path: '/deployments/{id}/actions/{action}',
  tags,
  summary: 'Take an action on a running deployment (the action’s role)',
  description:
    'The actions a deployment accepts depend on its type (GET /operation-types) and on the moment: ' +
    '`GET /deployments/{id}` says what it `awaiting` now. The answer is the deployment as it is right ' +
    'after the workflow accepted the action.',
  middleware: [requireRole('viewer'), emptyJsonBodyAsObject] as const,
  request: {
    params: actionParams,
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.record(z.string(), z.unknown()).openapi({ description: 'Whatever the action takes' }),
        },
      },
    },
  },
  responses: {
    200: jsonContent(deploymentSchema, 'The deployment after the action'),
    ...errorResponses,
    ...bodyErrorResponses,
    ...temporalErrorResponses,
    404: jsonContent(errorSchema, '`not_found`: no such deployment, or its type has no such action'),
    409: jsonContent(errorSchema, '`not_awaiting`: the deployment does not accept this action now'),
  },
});
