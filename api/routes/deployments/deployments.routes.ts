import { createRoute, z } from '@hono/zod-openapi';
import { containerStates, deploymentStatuses } from '../../../contracts/vocabulary.js';
import { requireRole } from '../../lib/auth.js';
import {
  errorResponses,
  errorSchema,
  streamLimitResponses,
  temporalErrorResponses,
} from '../../lib/errors.js';
import { integerParamWithDefault, isoDate, jsonContent, listOf, text } from '../../lib/schemas.js';

const tags = ['deployments'];

const containerSchema = z
  .object({
    service: z.string(),
    replica: z.number().int(),
    hostId: z.string(),
    name: z.string().openapi({ example: 'shop_web_1', description: '`<stack>_<service>_<replica>`' }),
    containerId: z.string().nullable(),
    status: z.enum(containerStates),
    attempts: z.number().int().openapi({ description: 'Attempts of the latest Docker step' }),
    error: z.string().nullable(),
    agent: z.string().optional().openapi({
      description: 'The agent that ran its latest step (worker identity), when the workflow reports it',
      example: 'agent:vm1@vm1.example.com:4242#docker:4b7c9a1e-2f3d-4e5a-8b6c-0d1e2f3a4b5c',
    }),
  })
  .openapi('ContainerProgress');

export const deploymentSchema = z
  .object({
    id: z.uuid(),
    stackId: z.uuid(),
    stack: z.string().openapi({ description: 'The stack name' }),
    operation: z.string().openapi({
      description: 'The operation type: deploy, stop, start, delete, or a strategy (GET /operation-types)',
    }),
    version: z.number().int().nullable().openapi({ description: 'The stack version it placed or acted on' }),
    status: z.enum(deploymentStatuses),
    progress: z.number().int().min(0).max(100).openapi({ description: 'Share of containers at their goal' }),
    error: z.string().nullable(),
    phase: z
      .string()
      .openapi({ description: 'What it is doing now, in a few words', example: 'wave 2 of 3: web' }),
    awaiting: z
      .object({
        actions: z
          .array(z.string())
          .openapi({ description: 'Actions it accepts now (POST .../actions/:action)' }),
        deadline: isoDate.nullable().openapi({ description: 'When it stops waiting and decides by itself' }),
      })
      .nullable()
      .openapi({ description: 'What the deployment waits for, or null' }),
    containers: z.array(containerSchema),
    requestedBy: z.string().openapi({ description: 'The name of the token that started it' }),
    workflowId: z.string().openapi({ example: 'deploy-shop-3' }),
    runId: z.string().nullable(),
    createdAt: isoDate,
    startedAt: isoDate.nullable(),
    finishedAt: isoDate.nullable(),
  })
  .openapi('Deployment', {
    description:
      'An operation on a stack. While it is pending or running, `progress`, `error` and `containers` come ' +
      'live from the workflow’s `progress` query; after, from the database record.',
  });

const deploymentParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, description: 'The deployment id' }),
});

export const list = createRoute({
  method: 'get',
  path: '/deployments',
  tags,
  summary: 'Recent operations, newest first',
  middleware: [requireRole('viewer')] as const,
  request: {
    query: z.object({
      stackId: text()
        .min(1)
        .optional()
        .openapi({ description: 'Only this stack’s operations: its id or name (deleted stacks too)' }),
      status: z
        .enum(deploymentStatuses)
        .optional()
        .openapi({ description: 'Only operations in this status' }),
      requestedBy: text()
        .min(1)
        .optional()
        .openapi({ description: 'Only operations started by this token name (`bootstrap-admin` too)' }),
      limit: integerParamWithDefault(1, 500, 50),
    }),
  },
  responses: { 200: jsonContent(listOf(deploymentSchema), 'Deployments'), ...errorResponses },
});

export const get = createRoute({
  method: 'get',
  path: '/deployments/{id}',
  tags,
  summary: 'One operation with its per-container progress',
  middleware: [requireRole('viewer')] as const,
  request: { params: deploymentParams },
  responses: { 200: jsonContent(deploymentSchema, 'The deployment'), ...errorResponses },
});

export const SSE_FORMAT =
  'A Server-Sent Events stream (`text/event-stream`). Events: `progress`, whose `data` is the ' +
  '`GET /deployments/{id}` JSON on one line, sent at once and whenever it changes (checked about every ' +
  '500 ms); then `end`, whose `data` is the final JSON, once the status is terminal (`succeeded`, ' +
  '`failed`, `rolled_back`, `cancelled`), after which the server closes the stream. A finished ' +
  'deployment gets one `progress` and one `end`. A `: keep-alive` comment line follows every 15 s ' +
  'without an event. Should the server fail mid-stream it sends `error` with `{"error": {code, message}}` ' +
  'and closes; reconnecting is safe, since the first event always carries the full state. A stream whose ' +
  'token is revoked gets `error` with code `unauthorized` within 2 s and closes. Every stream ' +
  'of a deployment shares one server-side watcher; a token may hold `GRAPHIUM_MAX_STREAMS_PER_TOKEN` ' +
  'streams at once (32 by default), and gets `429 too_many_requests` beyond that.';

/** One event whose `data` is JSON of the given schema (OpenAPI 3.1 reads an event stream's schema per event). */
const sseEvent = (event: string, data: string, description: string) => ({
  type: 'object' as const,
  description,
  required: ['event', 'data'],
  properties: {
    event: { const: event },
    data: {
      type: 'string' as const,
      contentMediaType: 'application/json',
      contentSchema: { $ref: `#/components/schemas/${data}` },
    },
  },
});

const sseEventSchema = {
  oneOf: [
    sseEvent('progress', 'Deployment', 'The deployment, at once and whenever it changes'),
    sseEvent('end', 'Deployment', 'The final deployment, once its status is terminal; the stream then ends'),
    sseEvent('error', 'Error', 'The server failed mid-stream; it closes the stream'),
  ],
  example: {
    event: 'progress',
    data: '{"id":"…","status":"running","progress":50,…}',
  },
};

export const events = createRoute({
  method: 'get',
  path: '/deployments/{id}/events',
  tags,
  summary: 'Follow an operation live (Server-Sent Events)',
  description: SSE_FORMAT,
  middleware: [requireRole('viewer')] as const,
  request: { params: deploymentParams },
  responses: {
    200: {
      description: SSE_FORMAT,
      content: { 'text/event-stream': { schema: sseEventSchema } },
    },
    ...errorResponses,
    ...streamLimitResponses,
  },
});

const cancelAccepted = z
  .object({
    deploymentId: z.uuid(),
    workflowId: z.string(),
    runId: z.string().nullable(),
    status: z.enum(deploymentStatuses).openapi({
      description:
        'The status when cancellation was requested; it becomes `cancelled` once the workflow stops',
    }),
  })
  .openapi('CancelAccepted');

export const cancel = createRoute({
  method: 'post',
  path: '/deployments/{id}/cancel',
  tags,
  summary: 'Cancel a running operation (deployer)',
  description:
    'Asks Temporal to cancel the workflow and answers at once. A deploy stops placing containers, removes ' +
    'what it created on every host (compensation runs even when cancelled), leaves the previous version ' +
    'running and ends `cancelled`. Stop, start and delete stop issuing further Docker steps and end ' +
    '`cancelled`; containers they already changed stay changed. A deploy past its last wave (cleaning up ' +
    'replaced containers) completes anyway.',
  middleware: [requireRole('deployer')] as const,
  request: { params: deploymentParams },
  responses: {
    202: jsonContent(cancelAccepted, 'Cancellation requested'),
    ...errorResponses,
    ...temporalErrorResponses,
    409: jsonContent(errorSchema, '`conflict`: the operation has already finished (`details.status`)'),
  },
});
