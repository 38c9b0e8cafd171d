import { createRoute, z } from '@hono/zod-openapi';
import { roles } from '../../../contracts/vocabulary.js';
import { MAX_PARALLEL_PER_HOST } from '../../../workflows/operation-types.js';
import { requireRole } from '../../lib/auth.js';
import { bodyErrorResponses, errorResponses, errorSchema } from '../../lib/errors.js';
import { emptyJsonBodyAsObject } from '../../lib/json-body.js';
import { jsonContent, linkTo, listOf, MAX_VERSION } from '../../lib/schemas.js';
import { stackParams } from '../stacks/stacks.routes.js';

// The stack operations (docs/architecture.md): each starts a workflow and answers 202 at once; the deployment
// it returns is followed with GET /deployments/:id or its SSE stream.

const tags = ['operations'];

const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({
      // Lower case, as Hono hands headers to the validator; header names are case-insensitive anyway.
      param: { name: 'idempotency-key', in: 'header' },
      description:
        'Makes a retry safe: a request repeating a key this token used before starts nothing and answers ' +
        '202 with that earlier deployment (header `Idempotent-Replayed: true`). Reusing a key for another ' +
        'stack or operation is refused with 422.',
      example: 'release-2025-01-31-1',
    }),
});

const versionField = z
  .number()
  .int()
  .min(1)
  .max(MAX_VERSION)
  .optional()
  .openapi({ description: 'The stack version to place (types that place one); default the current one' });

const deployRequest = z
  .strictObject({
    version: versionField,
    maxParallelPerHost: z
      .number()
      .int()
      .min(1)
      .max(MAX_PARALLEL_PER_HOST)
      .optional()
      .openapi({ description: 'Containers each host works on at once (default 8)' }),
    pull: z
      .boolean()
      .optional()
      .openapi({ description: 'Pull every image again, even a tag the host already has (such as :latest)' }),
  })
  .openapi('DeployRequest');

const operationStarted = z
  .object({
    deploymentId: z.uuid(),
    workflowId: z.string().openapi({ example: 'deploy-shop-3' }),
    runId: z.string().nullable().openapi({
      description: 'The workflow run; null only when a replayed request races the original start',
    }),
  })
  .openapi('OperationStarted');

const deploymentId = { id: '$response.body#/deploymentId' };

const accepted = {
  ...jsonContent(operationStarted, 'The operation started (or, for a repeated Idempotency-Key, had started)'),
  links: {
    GetDeployment: linkTo('/deployments/{id}', 'get', deploymentId),
    FollowDeployment: linkTo('/deployments/{id}/events', 'get', deploymentId),
    CancelDeployment: linkTo('/deployments/{id}/cancel', 'post', deploymentId),
  },
  headers: z.object({
    'Idempotent-Replayed': z
      .literal('true')
      .optional()
      .openapi({ description: 'Present when the Idempotency-Key matched an earlier request' }),
  }),
};

const operationResponses = {
  202: accepted,
  ...errorResponses,
  404: jsonContent(errorSchema, '`not_found`: no such stack, or no such version of it'),
  409: jsonContent(errorSchema, '`conflict`: another operation runs on this stack (`details.deploymentId`)'),
  422: jsonContent(
    errorSchema,
    '`unprocessable`: placement impossible (unknown host in a constraint, no host satisfies one), the ' +
      'type refuses this version (blue-green or canary where two containers of a service would bind one ' +
      'host port), or an Idempotency-Key reused for another request',
  ),
  503: jsonContent(
    errorSchema,
    '`unavailable`: Temporal refused the start (nothing started), or did not answer in time: placement ' +
      'could not read host status, or the start is unconfirmed (`details.deploymentId` names the ' +
      'deployment, kept pending until it is known whether its workflow began)',
  ),
};

const operationRoute = (operation: 'stop' | 'start', summary: string) =>
  createRoute({
    method: 'post',
    path: `/stacks/{id}/${operation}`,
    tags,
    summary,
    middleware: [requireRole('deployer')] as const,
    request: { params: stackParams, headers: idempotencyHeaders },
    responses: operationResponses,
  });

export const deploy = createRoute({
  method: 'post',
  path: '/stacks/{id}/deploy',
  tags,
  summary: 'Deploy a stack version onto its hosts (deployer)',
  description:
    'Places every replica (Swarm-style constraints; replicas stay where they run), then starts ' +
    '`deployWorkflow`. A failed or cancelled deploy removes what it created and leaves the previous ' +
    'version running. The body is optional.',
  middleware: [requireRole('deployer'), emptyJsonBodyAsObject] as const,
  request: {
    params: stackParams,
    headers: idempotencyHeaders,
    body: { required: false, content: { 'application/json': { schema: deployRequest } } },
  },
  responses: { ...operationResponses, ...bodyErrorResponses },
});

const operationTypeParams = stackParams.extend({
  type: z
    .string()
    .min(1)
    .openapi({
      param: { name: 'type', in: 'path' },
      description: 'An operation type name',
      example: 'canary',
    }),
});

const operationRequest = z
  .strictObject({
    version: versionField,
    options: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: 'The type’s options, checked against its JSON Schema (GET /operation-types)' }),
  })
  .openapi('OperationRequest');

export const run = createRoute({
  method: 'post',
  path: '/stacks/{id}/operations/{type}',
  tags,
  summary: 'Start an operation of any registered type on a stack (the type’s role)',
  description:
    'Every workflow type (GET /operation-types) is started here: deploy, stop, start, delete, and the ' +
    'strategies (blue-green, canary). The caller needs the type’s role; `options` must satisfy its ' +
    'schema. The older routes (POST /stacks/{id}/deploy, /stop, /start, DELETE /stacks/{id}) are aliases.',
  middleware: [requireRole('viewer'), emptyJsonBodyAsObject] as const,
  request: {
    params: operationTypeParams,
    headers: idempotencyHeaders,
    body: { required: false, content: { 'application/json': { schema: operationRequest } } },
  },
  responses: {
    ...operationResponses,
    ...bodyErrorResponses,
    404: jsonContent(errorSchema, '`not_found`: no such stack, version or operation type'),
  },
});

const actionSchema = z.object({ name: z.string(), description: z.string(), role: z.enum(roles) });

const operationTypeSchema = z
  .object({
    name: z.string().openapi({ example: 'canary' }),
    description: z.string(),
    role: z.enum(roles).openapi({ description: 'The role needed to start it' }),
    placesVersion: z
      .boolean()
      .openapi({ description: 'Whether it places a stack version (takes `version`)' }),
    options: z.record(z.string(), z.unknown()).openapi({ description: 'JSON Schema of its `options`' }),
    actions: z.array(actionSchema).openapi({ description: 'What a running deployment of it accepts' }),
  })
  .openapi('OperationType');

export const types = createRoute({
  method: 'get',
  path: '/operation-types',
  tags,
  summary: 'Every operation type: its role, options schema and actions',
  middleware: [requireRole('viewer')] as const,
  responses: { 200: jsonContent(listOf(operationTypeSchema), 'Operation types'), ...errorResponses },
});

export const stop = operationRoute('stop', 'Stop every container of the stack on every host (deployer)');

export const start = operationRoute(
  'start',
  'Start the stack’s stopped containers, dependencies first (deployer)',
);

export const remove = createRoute({
  method: 'delete',
  path: '/stacks/{id}',
  tags,
  summary: 'Delete a stack: remove its containers and networks from every host (deployer)',
  description:
    'Each host’s agent finds the containers by the stack label, so nothing is orphaned even when the ' +
    'database is behind. The stack disappears from `GET /stacks` once every host confirms. Its volumes ' +
    'and data directories stay unless `volumes=true` (the `delete` operation’s `volumes` option).',
  middleware: [requireRole('deployer')] as const,
  request: {
    params: stackParams,
    headers: idempotencyHeaders,
    query: z.object({
      volumes: z
        .enum(['true', 'false'])
        .optional()
        .openapi({ description: 'Also remove the stack’s volumes and data directories on every host' }),
    }),
  },
  responses: operationResponses,
});
