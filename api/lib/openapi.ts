import { createRoute, z } from '@hono/zod-openapi';
import { API_PREFIX } from './auth.js';
import { DOCS_PATH, serveDocsPage } from './docs-page.js';
import type { AppRouter } from './types.js';

const documentConfig = {
  openapi: '3.1.0',
  info: {
    title: 'Graphium API',
    version: '1',
    description:
      'Deploys Compose stacks onto Docker hosts through Temporal. Every route but the health check and ' +
      'this description needs `Authorization: Bearer <token>`; roles are admin > deployer > viewer. ' +
      'Errors are `{error: {code, message, details?}}`. Stack operations (deploy, stop, start, delete) answer ' +
      '`202 {deploymentId, workflowId, runId}` at once; follow them with `GET /deployments/{id}` or its ' +
      'Server-Sent Events stream `GET /deployments/{id}/events` (events `progress` and `end`, each with the ' +
      'Deployment JSON as `data`).',
  },
  security: [{ bearerAuth: [] }],
};

const openApiRoute = createRoute({
  method: 'get',
  path: `${API_PREFIX}/openapi.json`,
  tags: ['health'],
  summary: 'This OpenAPI 3.1 document (no token needed)',
  security: [],
  responses: {
    200: {
      description: 'The document',
      content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
    },
  },
});

const docsRoute = createRoute({
  method: 'get',
  path: DOCS_PATH,
  tags: ['health'],
  summary: 'Swagger UI for this API, served without any CDN (no token needed)',
  security: [],
  responses: { 200: { description: 'An HTML page', content: { 'text/html': { schema: z.string() } } } },
});

/** Call after every router is mounted: the document is generated from the routes registered so far. */
export function configureOpenApi(app: AppRouter): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (`gph_…`) or the bootstrap GRAPHIUM_ADMIN_TOKEN',
  });
  // Listed in the document; the handler below in serveDocsPage answers it.
  app.openAPIRegistry.registerPath(docsRoute);
  let document: unknown;
  app.openapi(openApiRoute, (c) => {
    document ??= app.getOpenAPI31Document(documentConfig);
    return c.json(document as Record<string, unknown>, 200);
  });
  serveDocsPage(app);
}
