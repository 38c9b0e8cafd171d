import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * The Temporal UI fetches decoded payloads from the browser (docs/temporal-ui.md), so the codec routes
 * answer cross-origin requests from the UI's own origin (`TEMPORAL_UI_URL`) and from no other. Without
 * TEMPORAL_UI_URL no browser may call them; the Temporal CLI needs no CORS.
 */
export function temporalUiCors(temporalUiUrl: string | undefined): MiddlewareHandler {
  if (!temporalUiUrl) return (_c, next) => next();
  return cors({
    origin: new URL(temporalUiUrl).origin,
    allowMethods: ['POST'],
    allowHeaders: ['Content-Type', 'X-Namespace', 'Authorization'],
    maxAge: 600,
  });
}
