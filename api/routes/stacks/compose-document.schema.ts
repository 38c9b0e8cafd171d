import { z } from '@hono/zod-openapi';
import { composeSchema } from '../../../compose/schema-file.js';

// The Compose document as the OpenAPI document shows it: the official Compose Specification schema
// the loader validates with (compose/schema.ts), so the shape a client reads is the one the server
// checks. What a schema cannot say is still checked, and answered `400 invalid_compose` naming each
// problem: references between parts (a service's depends_on, networks, volumes, secrets and configs
// must name declared ones), keys Graphium does not support, interpolation, one-line syntaxes; keys
// that reach into the host need role admin (403).

const COMPOSE_RULES =
  'A Compose document (the Compose Specification). Besides this shape the server checks what a schema ' +
  'cannot express and answers `400 invalid_compose` naming each problem: references between its parts ' +
  '(depends_on, networks, volumes, secrets, configs), keys Graphium does not support, ' +
  '`$VAR` interpolation; keys that reach into the host (privileged, bind mounts, …) need role admin (403). ' +
  'See docs/compose.md.';

/** The schema's own `#/$defs/…` references, re-rooted where the component puts them. */
function reRoot(node: unknown, root: string): unknown {
  if (Array.isArray(node)) return node.map((item) => reRoot(item, root));
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `${root}/${value.slice(2)}`
        : reRoot(value, root),
    ]),
  );
}

function composeDocumentJsonSchema(): Record<string, unknown> {
  const { $schema: _schema, $id: _id, ...spec } = composeSchema();
  return {
    ...(reRoot(spec, '#/components/schemas/ComposeDocument') as Record<string, unknown>),
    description: COMPOSE_RULES,
    example: { name: 'shop', services: { web: { image: 'nginx:alpine', ports: ['8080:80'] } } },
  };
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A Compose document sent as an object; the stack handlers load it with the Compose loader. */
export const composeDocument = z
  .custom<Record<string, unknown>>(isMapping, 'expected a Compose document (a mapping)')
  .openapi('ComposeDocument', composeDocumentJsonSchema());
