import { z } from '@hono/zod-openapi';

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

/** The largest PostgreSQL `integer`: a version number above it could never exist. */
export const MAX_VERSION = 2_147_483_647;

export const iso = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);
