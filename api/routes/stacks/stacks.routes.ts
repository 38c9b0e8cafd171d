import { createRoute, z } from '@hono/zod-openapi';
import { stackFormats } from '../../../contracts/vocabulary.js';
import { stackNamePattern } from '../../../stack/index.js';
import type { StackSpec } from '../../../stack/types.js';
import { requireRole } from '../../lib/auth.js';
import { bodyErrorResponses, errorResponses } from '../../lib/errors.js';
import {
  integerParam,
  isoDate,
  jsonContent,
  keysMatching,
  linkTo,
  listOf,
  MAX_VERSION,
  text,
} from '../../lib/schemas.js';
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

const warningsSchema = z
  .array(z.object({ path: z.string(), message: z.string() }))
  .openapi({ description: 'What the loader warned about: ignored keys, unset variables (key path and why)' });

const stackDetail = stackSummary
  .extend({
    format: z.enum(stackFormats),
    source: sourceSchema,
    spec: specSchema,
    warnings: warningsSchema,
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
    warnings: warningsSchema,
    createdAt: isoDate,
    createdBy: z.string(),
  })
  .openapi('StackVersion');

/** A path inside the project directory, POSIX: not absolute, no `.` or `..` segment, no empty one. */
const PROJECT_PATH = /^(?![/])(?!.*(^|[/])[.][.]?([/]|$))(?!.*[/][/])(?!.*[/]$)[^\\]+$/;
const projectPath = z
  .string()
  .min(1)
  .max(1024)
  .regex(PROJECT_PATH, 'expected a relative path inside the project (no "..", no leading "/")');

export const projectUpload = z
  .strictObject({
    composeFiles: z.array(projectPath).min(1).max(16).openapi({
      description: 'The Compose files, in `-f` order; paths are relative to the project directory',
    }),
    envFiles: z.array(projectPath).max(16).optional().openapi({ description: '`--env-file` files' }),
    profiles: z.array(z.string().min(1).max(64)).max(32).optional().openapi({ description: '`--profile`s' }),
    files: z
      .array(
        z.strictObject({
          path: projectPath,
          content: z.base64().openapi({ description: 'The file, base64-encoded' }),
          mode: z
            .number()
            .int()
            .min(0)
            .max(0o7777)
            .optional()
            .openapi({ description: 'Unix permission bits' }),
        }),
      )
      .max(20_000)
      .openapi({ description: 'Every file the project references (graphium stack create collects them)' }),
  })
  .openapi('ProjectUpload');

/** A name a shell (and Compose interpolation) accepts. */
export const variableNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const variableName = z
  .string()
  .regex(variableNamePattern, 'expected a variable name such as DB_PASSWORD');

/** The handler checks the name (requireStackName), whichever of the three places it came from. */
const stackName = z.string().openapi({ pattern: stackNamePattern.source });

export const stackJsonRequest = z
  .strictObject({
    name: stackName.optional().openapi({ description: 'Defaults to ?name=, then the Compose `name:`' }),
    compose: z
      .union([z.string().openapi({ description: 'YAML text' }), composeDocument])
      .optional()
      .openapi({ description: 'One Compose document: an object, or YAML text (this or `project`)' }),
    project: projectUpload.optional().openapi({
      description: 'A whole project: Compose files plus every file they reference (this or `compose`)',
    }),
    variables: keysMatching(z.record(variableName, z.string().max(65_536)), variableNamePattern)
      .optional()
      .openapi({
        description:
          'Stack variables to store with it, replacing any it has (as PUT /stacks/{id}/variables does); ' +
          'the document is loaded with them',
      }),
  })
  .refine((body) => (body.compose === undefined) !== (body.project === undefined), {
    message: 'send either compose (one document) or project (files), not both or neither',
  })
  .openapi('StackRequest', {
    // The refine above: exactly one of the two.
    oneOf: [{ required: ['compose'] }, { required: ['project'] }],
    example: { name: 'shop', compose: { services: { web: { image: 'nginx:alpine' } } } },
  });

/**
 * `required: false` at run time only because @hono/zod-openapi would otherwise run the JSON validator
 * on YAML bodies too; the handler refuses a missing body itself, and the document says it is required
 * (see `documentedStackRoute`). A YAML body's data model is the Compose document.
 */
const stackBody = {
  required: false,
  description: 'Compose YAML (with `?name=`), or JSON `{name, compose}` or `{name, project}`',
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
