import { createRoute, z } from '@hono/zod-openapi';
import { tokenRoles } from '../../../contracts/vocabulary.js';
import { requireRole } from '../../lib/auth.js';
import { bodyErrorResponses, errorResponses } from '../../lib/errors.js';
import { isoDate, jsonBody, jsonContent, listOf } from '../../lib/schemas.js';

const tags = ['tokens'];

const tokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(tokenRoles),
    createdBy: z.string(),
    createdAt: isoDate,
    lastUsedAt: isoDate.nullable().openapi({ description: 'Updated at most once a minute' }),
    revokedAt: isoDate.nullable(),
  })
  .openapi('Token');

const createTokenRequest = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/,
        'expected 1-64 letters, digits, spaces, ".", "_", "@" or "-"',
      )
      .openapi({ example: 'ci-deployer' }),
    role: z.enum(tokenRoles),
  })
  .openapi('CreateTokenRequest');

const createdTokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(tokenRoles),
    token: z.string().openapi({ description: 'The secret. Shown only in this response; store it now.' }),
  })
  .openapi('CreatedToken');

export const tokenIdParams = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

export const create = createRoute({
  method: 'post',
  path: '/tokens',
  tags,
  summary: 'Create an API token (admin)',
  middleware: [requireRole('admin')] as const,
  request: { body: jsonBody(createTokenRequest) },
  responses: {
    201: jsonContent(createdTokenSchema, 'The token, with its secret shown once'),
    ...errorResponses,
    ...bodyErrorResponses,
  },
});

export const list = createRoute({
  method: 'get',
  path: '/tokens',
  tags,
  summary: 'List API tokens, revoked ones included (admin; never returns secrets or hashes)',
  middleware: [requireRole('admin')] as const,
  responses: { 200: jsonContent(listOf(tokenSchema), 'Tokens, newest first'), ...errorResponses },
});

export const revoke = createRoute({
  method: 'delete',
  path: '/tokens/{id}',
  tags,
  summary: 'Revoke an API token (admin); revoking twice is harmless',
  middleware: [requireRole('admin')] as const,
  request: { params: tokenIdParams },
  responses: { 204: { description: 'Revoked' }, ...errorResponses },
});
