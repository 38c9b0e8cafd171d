import { createRoute, z } from '@hono/zod-openapi';
import { driftKinds, reconcileModes } from '../../../contracts/vocabulary.js';
import { requireRole } from '../../lib/auth.js';
import { bodyErrorResponses, errorResponses } from '../../lib/errors.js';
import { isoDate, jsonBody, jsonContent } from '../../lib/schemas.js';
import { stackParams } from '../stacks/stacks.routes.js';

// Drift: what the last reconcile of a stack found on its hosts, and whether the stack repairs it.

const tags = ['stacks'];

const reconcileSetting = z
  .object({
    mode: z.enum(reconcileModes).openapi({
      description: '`report`: drift is recorded; `repair`: a reconcile that finds drift also deploys again',
    }),
    source: z.enum(['api', 'compose', 'default']).openapi({
      description:
        'Where the mode comes from: set through this API, the deployed Compose file’s `x-graphium.reconcile`, or the default',
    }),
  })
  .openapi('ReconcileSetting');

const driftItem = z
  .object({
    hostId: z.string(),
    container: z.string().openapi({ example: 'shop_web_1' }),
    kind: z.enum(driftKinds),
    detail: z.string().optional().openapi({ example: 'environment differs: LOG_LEVEL' }),
  })
  .openapi('DriftItem');

const driftSchema = z
  .object({
    checkedAt: isoDate.nullable().openapi({ description: 'When the last reconcile looked; null: never yet' }),
    items: z
      .array(driftItem)
      .openapi({ description: 'Every container not as the deployed version says; empty: none' }),
    version: z.number().int().nullable().openapi({ description: 'The deployed version it compared with' }),
    reconcile: reconcileSetting,
    deploymentId: z.uuid().nullable().openapi({ description: 'The reconcile operation that checked' }),
    repair: z
      .object({ deploymentId: z.uuid().nullable(), error: z.string().nullable() })
      .nullable()
      .openapi({ description: 'The deploy that repair started after that check, or why none could start' }),
  })
  .openapi('StackDrift');

export const get = createRoute({
  method: 'get',
  path: '/stacks/{id}/drift',
  tags,
  summary: 'What the last reconcile found on the stack’s hosts',
  description:
    'Reconcile runs for every stack on a Temporal Schedule (`GRAPHIUM_RECONCILE_INTERVAL`, 10 min by default), ' +
    'or on request (`POST /stacks/{id}/operations/reconcile`). Each item is one container: `missing`, ' +
    '`changed`, `stopped`, `unexpected`, `retired` (a leftover of a deploy that never finished) or ' +
    '`unknown-host`.',
  middleware: [requireRole('viewer')] as const,
  request: { params: stackParams },
  responses: { 200: jsonContent(driftSchema, 'The last check'), ...errorResponses },
});

export const putSetting = createRoute({
  method: 'put',
  path: '/stacks/{id}/reconcile',
  tags,
  summary: 'Choose whether reconcile repairs the stack (deployer)',
  description:
    '`repair`: a reconcile that finds drift deploys the deployed version again (a normal deploy: missing, ' +
    'changed and stopped containers are put back, unexpected and retired ones removed). `null` follows the ' +
    'Compose file’s `x-graphium: {reconcile: repair}`, else `report`.',
  middleware: [requireRole('deployer')] as const,
  request: {
    params: stackParams,
    body: jsonBody(
      z.strictObject({ mode: z.enum(reconcileModes).nullable() }).openapi('ReconcileSettingRequest'),
    ),
  },
  responses: {
    200: jsonContent(reconcileSetting, 'The mode now in effect'),
    ...errorResponses,
    ...bodyErrorResponses,
  },
});
