import { createRoute, z } from '@hono/zod-openapi';
import { jsonContent } from '../../lib/schemas.js';

export const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['health'],
  summary: 'Liveness check (no token needed)',
  security: [],
  responses: {
    200: jsonContent(z.object({ status: z.literal('ok') }), 'The API process is up'),
  },
});
