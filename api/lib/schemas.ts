import { z } from '@hono/zod-openapi';
import { API_PREFIX } from './auth.js';

// Small building blocks shared by the route schemas. Resource schemas live beside their routes.

export const isoDate = z.string().openapi({ format: 'date-time', example: '2025-01-31T12:00:00.000Z' });

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

/** List endpoints answer `{items: [...]}`, leaving room for paging fields later. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

/**
 * An integer read from a query or path parameter (text, so coerced), with its bounds declared in the
 * document as well: `.openapi({type})` alone would replace the bounds zod knows.
 */
export function integerParam(min: number, max: number) {
  return z.coerce.number().int().min(min).max(max).openapi({ type: 'integer', minimum: min, maximum: max });
}

/** The same with a default, which the document states too. */
export function integerParamWithDefault(min: number, max: number, fallback: number) {
  return z.coerce
    .number()
    .int()
    .min(min)
    .max(max)
    .default(fallback)
    .openapi({ type: 'integer', minimum: min, maximum: max, default: fallback });
}

/** zod checks a record's keys, but the document generator drops the rule: state it as `propertyNames`. */
export function keysMatching<T extends z.ZodType>(record: T, pattern: RegExp): T {
  // `propertyNames` is JSON Schema (OpenAPI 3.1) the metadata type does not list; it is passed through.
  return record.openapi({ propertyNames: { type: 'string', pattern: pattern.source } } as object) as T;
}

/**
 * An OpenAPI link from a response to another operation (`/stacks/{id}`, `get`), its parameters taken
 * from the response (`$response.body#/id`): clients, and schemathesis' stateful phase, follow them.
 */
export function linkTo(path: string, method: string, parameters: Record<string, string>) {
  const pointer = `${API_PREFIX}${path}`.replaceAll('~', '~0').replaceAll('/', '~1');
  return { operationRef: `#/paths/${pointer}/${method}`, parameters };
}

/** PostgreSQL text cannot hold a NUL character: strings that are stored or looked up refuse it. */
// Written `\u0000`, not `\0`: the document's readers (schemathesis among them) do not all know `\0`.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the very character refused.
export const NO_NUL = /^[^\u0000]*$/;

/** A string that is stored or looked up in the database, so the document states the NUL rule too. */
export const text = () => z.string().regex(NO_NUL, 'must not contain a NUL character');

/** The largest PostgreSQL `integer`: a version number above it could never exist. */
export const MAX_VERSION = 2_147_483_647;

export const iso = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);
