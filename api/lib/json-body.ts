import type { MiddlewareHandler } from 'hono';
import { badRequest } from './errors.js';

const jsonMediaType = /^application\/([\w.-]+\+)?json$/i;

function lineColumn(text: string, offset: number): string {
  const lines = text.slice(0, offset).split('\n');
  return `line ${lines.length}, column ${lines.at(-1)!.length + 1}`;
}

/**
 * Checks JSON bodies before any route sees them, so a syntax error answers 400 naming the line and
 * column instead of Hono's bare "Malformed JSON". The text stays cached, so validators parse it again
 * from memory (bodies are at most 1 MiB).
 */
export const checkJsonSyntax: MiddlewareHandler = async (c, next) => {
  const mediaType = c.req.header('content-type')?.split(';')[0]?.trim() ?? '';
  if (!['POST', 'PUT', 'PATCH'].includes(c.req.method) || !jsonMediaType.test(mediaType)) return next();
  const text = await c.req.text();
  // An empty body is left to the route: operations such as `stop` take none.
  if (text.trim() === '') return next();
  try {
    JSON.parse(text);
  } catch (error) {
    let message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    if (position) message += ` (${lineColumn(text, Number(position[1]))})`;
    throw badRequest(`malformed JSON body: ${message}`);
  }
  return next();
};

/**
 * For routes whose JSON body is optional (`POST /stacks/:id/deploy`): an empty body sent with
 * `Content-Type: application/json` means `{}`, as it does without the header, instead of Hono's
 * "Malformed JSON". Runs after checkJsonSyntax, which has cached the text.
 */
export const emptyJsonBodyAsObject: MiddlewareHandler = async (c, next) => {
  const mediaType = c.req.header('content-type')?.split(';')[0]?.trim() ?? '';
  if (jsonMediaType.test(mediaType) && (await c.req.text()).trim() === '') {
    // Hono caches body promises under the reader's name; its type declares the resolved value.
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve('{}');
  }
  return next();
};
