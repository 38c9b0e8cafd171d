import type { MiddlewareHandler } from 'hono';
import { jsonSyntaxMessage } from '../../compose/index.js';
import { badRequest } from './errors.js';

/** The media type of a Content-Type header, lower case, without parameters (`; charset=…`). */
export function mediaTypeOf(contentType: string | undefined): string {
  return contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
}

/** `application/json` and its structured-syntax relatives (`application/merge-patch+json`). */
export function isJsonMediaType(mediaType: string): boolean {
  return /^application\/([\w.-]+\+)?json$/i.test(mediaType);
}

/**
 * Checks JSON bodies before any route sees them, so a syntax error answers 400 naming the line and
 * column instead of Hono's bare "Malformed JSON". The text stays cached, so validators parse it again
 * from memory (bodies are at most 1 MiB).
 */
export const checkJsonSyntax: MiddlewareHandler = async (c, next) => {
  const mediaType = mediaTypeOf(c.req.header('content-type'));
  if (!['POST', 'PUT', 'PATCH'].includes(c.req.method) || !isJsonMediaType(mediaType)) return next();
  const text = await c.req.text();
  // An empty body is left to the route: operations such as `stop` take none.
  if (text.trim() === '') return next();
  try {
    JSON.parse(text);
  } catch (error) {
    throw badRequest(`malformed JSON body: ${jsonSyntaxMessage(text, error)}`);
  }
  return next();
};

/**
 * For routes whose JSON body is optional (`POST /stacks/:id/deploy`): an empty body sent with
 * `Content-Type: application/json` means `{}`, as it does without the header, instead of Hono's
 * "Malformed JSON". Runs after checkJsonSyntax, which has cached the text.
 */
export const emptyJsonBodyAsObject: MiddlewareHandler = async (c, next) => {
  if (isJsonMediaType(mediaTypeOf(c.req.header('content-type'))) && (await c.req.text()).trim() === '') {
    // Hono caches body promises under the reader's name; its type declares the resolved value.
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve('{}');
  }
  return next();
};
