import { z } from '@hono/zod-openapi';
import { composeSchema } from '../../../stack/compose-schema.js';
import { composeNamePattern, stackNamePattern } from '../../../stack/names.js';

// The Compose document as the OpenAPI document shows it: the JSON Schema of the very zod schema the
// server parses with (stack/compose-schema.ts), plus the rules the parser checks beside it (names,
// top-level `x-*` extensions). What JSON Schema cannot say is still checked, and answered
// `400 invalid_compose` naming each problem: references between parts (a `depends_on` service, a
// network or named volume a service uses must be declared; no dependency cycle) and the one-line
// syntaxes (ports, volumes, durations, restart, placement constraints, shell words).

const COMPOSE_RULES =
  'A Compose document in the subset Graphium deploys. Besides this shape, the server checks what JSON ' +
  'Schema cannot express and answers `400 invalid_compose` naming each problem: a service’s ' +
  '`depends_on`, `networks` and named `volumes` must name declared ones (without a dependency cycle), ' +
  'and the one-line syntaxes (ports, volumes, durations, restart, placement constraints) must parse.';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema> };

function composeDocumentJsonSchema(): JsonSchema {
  const { $schema: _, ...schema } = z.toJSONSchema(composeSchema, { io: 'input' }) as JsonSchema;
  const properties = schema.properties ?? {};
  const named = (section: string, extra: JsonSchema = {}) => {
    properties[section] = {
      ...properties[section],
      propertyNames: { type: 'string', pattern: composeNamePattern.source },
      ...extra,
    };
  };
  named('services', { minProperties: 1 });
  named('networks');
  named('volumes');
  properties.name = { type: 'string', pattern: stackNamePattern.source, description: 'The stack name' };
  return {
    ...schema,
    properties,
    // Compose ignores top-level `x-*` keys: they hold YAML anchors.
    patternProperties: { '^x-': {} },
    description: COMPOSE_RULES,
    example: { name: 'shop', services: { web: { image: 'nginx:alpine', ports: ['8080:80'] } } },
  };
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A Compose document sent as an object; the stack handlers validate it with the Compose parser. */
export const composeDocument = z
  .custom<Record<string, unknown>>(isMapping, 'expected a Compose document (an object)')
  .openapi('ComposeDocument', composeDocumentJsonSchema());
