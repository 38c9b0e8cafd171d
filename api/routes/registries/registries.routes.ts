import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../lib/auth.js';
import { bodyErrorResponses, errorResponses } from '../../lib/errors.js';
import { isoDate, jsonBody, jsonContent, listOf, text } from '../../lib/schemas.js';

// Private registries: agents pull with the credentials of the image's registry host. Admin only;
// the password is stored sealed and never returned.

const tags = ['registries'];

/** A registry host as image references name it: `ghcr.io`, `registry.example.com:5000`, `docker.io`. */
const registryHost = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/,
    'expected a registry host such as ghcr.io or registry.local:5000',
  )
  .max(253);

const registrySchema = z
  .object({
    host: z.string(),
    username: z.string(),
    createdBy: z.string(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .openapi('Registry');

const registryRequest = z
  .strictObject({
    host: registryHost.openapi({ example: 'ghcr.io' }),
    username: text().min(1).max(256),
    password: z.string().min(1).max(4096).openapi({ description: 'Stored sealed; never returned' }),
  })
  .openapi('RegistryRequest');

export const registryParams = z.object({
  host: registryHost.openapi({ param: { name: 'host', in: 'path' }, example: 'ghcr.io' }),
});

export const put = createRoute({
  method: 'post',
  path: '/registries',
  tags,
  summary: 'Store the credentials of a registry host, replacing any it had (admin)',
  middleware: [requireRole('admin')] as const,
  request: { body: jsonBody(registryRequest) },
  responses: {
    200: jsonContent(registrySchema, 'The credentials of that host were replaced'),
    201: jsonContent(registrySchema, 'The host was added'),
    ...errorResponses,
    ...bodyErrorResponses,
  },
});

export const list = createRoute({
  method: 'get',
  path: '/registries',
  tags,
  summary: 'List registry hosts with credentials (admin; never passwords)',
  middleware: [requireRole('admin')] as const,
  responses: { 200: jsonContent(listOf(registrySchema), 'Registries by host'), ...errorResponses },
});

export const remove = createRoute({
  method: 'delete',
  path: '/registries/{host}',
  tags,
  summary: 'Forget the credentials of a registry host (admin)',
  middleware: [requireRole('admin')] as const,
  request: { params: registryParams },
  responses: { 204: { description: 'Removed' }, ...errorResponses },
});
