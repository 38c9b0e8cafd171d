import { createRoute, z } from '@hono/zod-openapi';
import { stackFormats } from '../../../contracts/vocabulary.js';
import { stackNamePattern } from '../../../stack/index.js';
import type { StackSpec } from '../../../stack/types.js';
import { requireRole } from '../../lib/auth.js';
import { bodyErrorResponses, errorResponses } from '../../lib/errors.js';
import { integerParam, isoDate, jsonContent, linkTo, listOf, MAX_VERSION, text } from '../../lib/schemas.js';
import { composeDocument } from './compose-document.schema.js';
import { YAML_MEDIA_TYPES } from './stack-document.js';

const tags = ['stacks'];

const specSchema = z.custom<StackSpec>().openapi({
  type: 'object',
  description:
    'The validated, normalized Compose document every operation works from. For a viewer token every ' +
    '`services[].environment` value reads `***` (the keys stay)',
});

const sourceSchema = z.string().optional().openapi({
  description: 'The document as sent; omitted for a viewer token, since it holds the environment values',
});

const stackSummary = z
  .object({
    id: z.uuid(),
    name: z.string(),
    version: z.number().int().openapi({ description: 'The current version' }),
    createdAt: isoDate,
    updatedAt: isoDate,
    services: z.array(z.string()).openapi({ description: 'Service names, in dependency order' }),
  })
  .openapi('StackSummary');

const versionSummary = z.object({ version: z.number().int(), createdAt: isoDate, createdBy: z.string() });

const stackDetail = stackSummary
  .extend({
    format: z.enum(stackFormats),
    source: sourceSchema,
    spec: specSchema,
    createdBy: z.string().openapi({ description: 'Who created the current version' }),
    versions: z.array(versionSummary),
  })
  .openapi('Stack');

const stackVersion = z
  .object({
    stackId: z.uuid(),
    version: z.number().int(),
    format: z.enum(stackFormats),
    source: sourceSchema,
    spec: specSchema,
    createdAt: isoDate,
    createdBy: z.string(),
  })
  .openapi('StackVersion');

/** The handler checks the name (requireStackName), whichever of the three places it came from. */
const stackName = z.string().openapi({ pattern: stackNamePattern.source });

export const stackJsonRequest = z
  .strictObject({
    name: stackName.optional().openapi({ description: 'Defaults to ?name=, then the Compose `name:`' }),
    compose: z.union([z.string().openapi({ description: 'YAML text' }), composeDocument]).openapi({
      description: 'The Compose document: an object, or YAML text',
    }),
  })
  .openapi('StackRequest', {
    example: { name: 'shop', compose: { services: { web: { image: 'nginx:alpine' } } } },
  });

/**
 * `required: false` at run time only because @hono/zod-openapi would otherwise run the JSON validator
 * on YAML bodies too; the handler refuses a missing body itself, and the document says it is required
 * (see `documentedStackRoute`). A YAML body's data model is the Compose document.
 */
const stackBody = {
  required: false,
  description: 'Compose YAML (with `?name=`), or JSON `{name, compose}`',
  content: {
    'application/json': { schema: stackJsonRequest },
    ...Object.fromEntries(YAML_MEDIA_TYPES.map((type) => [type, { schema: composeDocument }])),
  },
};

/** The route as documented: the same, with the body that the handler requires marked required. */
export function documentedStackRoute<R extends { middleware?: unknown; request: { body: typeof stackBody } }>(
  route: R,
) {
  const { middleware: _, ...documented } = route;
  return { ...documented, request: { ...route.request, body: { ...route.request.body, required: true } } };
}

const nameQuery = z.object({
  name: stackName.optional().openapi({ description: 'The stack name, for YAML bodies' }),
});

export const stackParams = z.object({
  id: text()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, description: 'The stack id or name', example: 'shop' }),
});

export const create = createRoute({
  method: 'post',
  path: '/stacks',
  tags,
  summary: 'Create a stack from a Compose document (deployer; admin for bind mounts)',
  description:
    'A document with a bind mount (a host path in `volumes`) needs role admin: it gives the containers ' +
    'that path on every host. Deployers may use named volumes.',
  middleware: [requireRole('deployer')] as const,
  request: { query: nameQuery, body: stackBody },
  responses: {
    201: {
      ...jsonContent(stackDetail, 'The stack at version 1'),
      links: Object.fromEntries(
        (
          [
            ['GetStack', '/stacks/{id}', 'get'],
            ['UpdateStack', '/stacks/{id}', 'put'],
            ['GetVersion', '/stacks/{id}/versions/{version}', 'get'],
            ['GetVariables', '/stacks/{id}/variables', 'get'],
            ['DeployStack', '/stacks/{id}/deploy', 'post'],
            ['StopStack', '/stacks/{id}/stop', 'post'],
            ['StartStack', '/stacks/{id}/start', 'post'],
            ['DeleteStack', '/stacks/{id}', 'delete'],
          ] as const
        ).map(([name, path, method]) => [
          name,
          linkTo(path, method, {
            id: '$response.body#/id',
            ...(path.includes('{version}') ? { version: '$response.body#/version' } : {}),
          }),
        ]),
      ),
    },
    ...errorResponses,
    ...bodyErrorResponses,
  },
});

export const list = createRoute({
  method: 'get',
  path: '/stacks',
  tags,
  summary: 'List stacks (deleted ones excluded)',
  middleware: [requireRole('viewer')] as const,
  responses: { 200: jsonContent(listOf(stackSummary), 'Stacks by name'), ...errorResponses },
});

export const get = createRoute({
  method: 'get',
  path: '/stacks/{id}',
  tags,
  summary: 'One stack: its current document and its version history',
  middleware: [requireRole('viewer')] as const,
  request: { params: stackParams },
  responses: { 200: jsonContent(stackDetail, 'The stack'), ...errorResponses },
});

export const getVersion = createRoute({
  method: 'get',
  path: '/stacks/{id}/versions/{version}',
  tags,
  summary: 'One version of a stack’s document',
  middleware: [requireRole('viewer')] as const,
  request: {
    params: stackParams.extend({
      version: integerParam(1, MAX_VERSION).openapi({ param: { name: 'version', in: 'path' } }),
    }),
  },
  responses: { 200: jsonContent(stackVersion, 'The version'), ...errorResponses },
});

export const update = createRoute({
  method: 'put',
  path: '/stacks/{id}',
  tags,
  summary:
    'Store a new version of a stack (deployer; admin for bind mounts); an identical document creates none',
  middleware: [requireRole('deployer')] as const,
  request: { params: stackParams, query: nameQuery, body: stackBody },
  responses: {
    200: jsonContent(stackDetail, 'The stack at its new (or unchanged) current version'),
    ...errorResponses,
    ...bodyErrorResponses,
  },
});
