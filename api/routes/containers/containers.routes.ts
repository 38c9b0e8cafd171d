import { createRoute, z } from '@hono/zod-openapi';
import { hostIdMessage, hostIdPattern } from '../../../lib/env.js';
import { requireRole } from '../../lib/auth.js';
import { errorResponses } from '../../lib/errors.js';
import { isoDate, jsonContent, listOf } from '../../lib/schemas.js';

const placedContainer = z
  .object({
    stackId: z.uuid(),
    stack: z.string().openapi({ description: 'The stack name' }),
    hostId: z.string(),
    name: z.string().openapi({
      example: 'shop_web_1',
      description: '`<stack>_<service>_<replica>`; `….retired-<deployment>` while a deploy replaces it',
    }),
    service: z.string(),
    replica: z.number().int(),
    containerId: z.string(),
    image: z.string(),
    state: z.string().openapi({ description: 'Docker’s state (`running`, `exited`, …) when last observed' }),
    deploymentId: z.string().nullable().openapi({ description: 'The deployment that created it' }),
    observedAt: isoDate.openapi({ description: 'When an agent last reported it' }),
  })
  .openapi('PlacedContainer');

export const list = createRoute({
  method: 'get',
  path: '/containers',
  tags: ['containers'],
  summary: 'The containers of live stacks on each host, as the agents last reported them',
  description:
    'Recorded from the daemons themselves at the end of every operation (each agent lists its containers ' +
    'by label), so this is what Docker said then, not a plan. Ordered by host, stack and name.',
  middleware: [requireRole('viewer')] as const,
  request: {
    query: z.object({
      stackId: z.string().min(1).optional().openapi({ description: 'Only this stack: its id or name' }),
      hostId: z
        .string()
        .regex(hostIdPattern, hostIdMessage)
        .optional()
        .openapi({ description: 'Only this host' }),
    }),
  },
  responses: { 200: jsonContent(listOf(placedContainer), 'Containers'), ...errorResponses },
});
