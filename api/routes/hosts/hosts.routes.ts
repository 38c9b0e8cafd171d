import { createRoute, z } from '@hono/zod-openapi';
import { hostIdMessage, hostIdPattern } from '../../../lib/env.js';
import { requireRole } from '../../lib/auth.js';
import { bodyErrorResponses, errorResponses, temporalErrorResponses } from '../../lib/errors.js';
import { isoDate, jsonBody, jsonContent, keysMatching, listOf, text } from '../../lib/schemas.js';

const tags = ['hosts'];

/** 1-128 characters, no NUL, and no whitespace at either end (the characters String.trim removes). */
const edgeSpace = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const displayNamePattern = new RegExp(`^[^\\u0000${edgeSpace}](?:[^\\u0000]{0,126}[^\\u0000${edgeSpace}])?$`);

const hostId = z.string().regex(hostIdPattern, hostIdMessage).openapi({ example: 'vm1' });

const labelKeyPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const labels = keysMatching(
  z.record(
    z.string().regex(labelKeyPattern, 'label keys are letters, digits, ".", "_" and "-"'),
    text().max(255),
  ),
  labelKeyPattern,
).openapi({
  description: 'Matched by `node.labels.<key> == <value>` placement constraints',
  example: { zone: 'a' },
});

const hostFields = {
  id: hostId,
  name: z.string(),
  labels,
  createdAt: isoDate,
  updatedAt: isoDate,
};

const hostSchema = z
  .object({
    ...hostFields,
    status: z.enum(['online', 'offline']).openapi({
      description:
        'online while the agent of `graphium-host-<id>` sends worker heartbeats (every 5 s; offline after 20 s ' +
        'without one), or, on a Temporal server that keeps no worker heartbeats, polled that queue within 90 s',
    }),
    lastSeenAt: isoDate.nullable().openapi({
      description: 'When an agent of this host was last known alive (heartbeat or poll); null if never',
    }),
    agent: z
      .object({
        identity: z
          .string()
          .openapi({ example: 'agent:vm1@vm1:4242#docker:4b7c9a1e-2f3d-4e5a-8b6c-0d1e2f3a4b5c' }),
        lastPollAt: isoDate,
        version: z
          .string()
          .nullable()
          .openapi({ description: 'The build id the agent’s worker reports to Temporal, if any' }),
      })
      .nullable()
      .openapi({ description: 'The latest poller Temporal reports for the host queue, or null' }),
  })
  .openapi('Host');

const registeredHostSchema = z
  .object({
    ...hostFields,
    agent: z
      .object({
        command: z.string().openapi({
          description:
            'Run from a Graphium checkout on the host, with GRAPHIUM_PAYLOAD_KEYS and GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS set in the shell',
        }),
        dockerCommand: z.string().openapi({ description: 'The same agent as a container' }),
        environment: z.record(z.string(), z.string()),
      })
      .openapi({ description: 'How to start this host’s agent' }),
  })
  .openapi('RegisteredHost');

const createHostRequest = z
  .strictObject({
    id: hostId,
    name: z
      .string()
      .regex(
        displayNamePattern,
        'expected 1-128 characters, without a NUL character or leading or trailing spaces',
      )
      .optional()
      .openapi({ description: 'Defaults to the id' }),
    labels: labels.optional(),
  })
  .openapi('CreateHostRequest');

const hostParams = z.object({
  id: text().openapi({ param: { name: 'id', in: 'path' }, example: 'vm1' }),
});

export const create = createRoute({
  method: 'post',
  path: '/hosts',
  tags,
  summary: 'Register a host (admin); the answer says how to start its agent',
  middleware: [requireRole('admin')] as const,
  request: { body: jsonBody(createHostRequest) },
  responses: {
    201: jsonContent(registeredHostSchema, 'The host, with the command that starts its agent'),
    ...errorResponses,
    ...bodyErrorResponses,
  },
});

export const list = createRoute({
  method: 'get',
  path: '/hosts',
  tags,
  summary: 'List hosts with their live status',
  middleware: [requireRole('viewer')] as const,
  responses: {
    200: jsonContent(listOf(hostSchema), 'Hosts by id'),
    ...errorResponses,
    ...temporalErrorResponses,
  },
});

export const get = createRoute({
  method: 'get',
  path: '/hosts/{id}',
  tags,
  summary: 'One host with its live status',
  middleware: [requireRole('viewer')] as const,
  request: { params: hostParams },
  responses: { 200: jsonContent(hostSchema, 'The host'), ...errorResponses, ...temporalErrorResponses },
});

export const remove = createRoute({
  method: 'delete',
  path: '/hosts/{id}',
  tags,
  summary:
    'Forget a host (admin); refused with 409 while containers are placed on it or an operation targets it',
  middleware: [requireRole('admin')] as const,
  request: { params: hostParams },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});
