import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../lib/auth.js';
import { bodyErrorResponses, errorResponses } from '../../lib/errors.js';
import { jsonBody, jsonContent, keysMatching } from '../../lib/schemas.js';
import { stackParams, variableName, variableNamePattern } from '../stacks/stacks.routes.js';

// Stack variables: the values `${VAR}` takes in the stack's Compose files, in the place a shell
// environment has for `docker compose`. Values are stored sealed and hidden from viewers.

const tags = ['stacks'];

export const MAX_VARIABLES = 500;

const variablesSchema = z
  .object({
    variables: z.record(z.string(), z.string()).openapi({
      description: 'Name → value. For a viewer token every value reads `***` (the names stay)',
    }),
  })
  .openapi('StackVariables');

const variablesSaved = variablesSchema
  .extend({
    version: z.number().int().openapi({
      description: 'The stack’s current version: a new one when the variables changed what it loads to',
    }),
  })
  .openapi('StackVariablesSaved');

const variablesRequest = z
  .strictObject({
    variables: keysMatching(
      z
        .record(variableName, z.string().max(65_536))
        .refine((v) => Object.keys(v).length <= MAX_VARIABLES, `at most ${MAX_VARIABLES} variables`),
      variableNamePattern,
    ).openapi({
      description: 'Every variable of the stack: names not listed are removed',
      maxProperties: MAX_VARIABLES,
    }),
  })
  .openapi('StackVariablesRequest');

export const get = createRoute({
  method: 'get',
  path: '/stacks/{id}/variables',
  tags,
  summary: 'The stack’s variables (values hidden from viewers)',
  middleware: [requireRole('viewer')] as const,
  request: { params: stackParams },
  responses: { 200: jsonContent(variablesSchema, 'The variables'), ...errorResponses },
});

export const put = createRoute({
  method: 'put',
  path: '/stacks/{id}/variables',
  tags,
  summary: 'Replace the stack’s variables (deployer)',
  description:
    'Variables interpolate the stack’s Compose files like a shell environment (they override `.env`). ' +
    'The current version’s project is loaded again with them: when that changes what it loads to, a new ' +
    'version is stored (deploy it to apply it). A project that no longer loads is refused and nothing is stored.',
  middleware: [requireRole('deployer')] as const,
  request: { params: stackParams, body: jsonBody(variablesRequest) },
  responses: {
    200: jsonContent(variablesSaved, 'The variables now stored, and the stack’s current version'),
    ...errorResponses,
    ...bodyErrorResponses,
  },
});
