import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost'];

/**
 * The Temporal UI fetches decoded payloads from the browser (docs/temporal-ui.md), so the codec routes
 * answer cross-origin requests from the UI's own origin (`TEMPORAL_UI_URL`) and from no other; a UI on
 * loopback is the same whether the browser calls it 127.0.0.1 or localhost. Without TEMPORAL_UI_URL no
 * browser may call them; the Temporal CLI needs no CORS.
 */
export function temporalUiCors(temporalUiUrl: string | undefined): MiddlewareHandler {
  if (!temporalUiUrl) return (_c, next) => next();
  const url = new URL(temporalUiUrl);
  const origins = LOOPBACK_NAMES.includes(url.hostname)
    ? LOOPBACK_NAMES.map((name) => `${url.protocol}//${name}${url.port ? `:${url.port}` : ''}`)
    : [url.origin];
  return cors({
    origin: origins,
    allowMethods: ['POST'],
    allowHeaders: ['Content-Type', 'X-Namespace', 'Authorization'],
    // The UI's "include credentials" codec setting sends the codec cookie (api/lib/auth.ts).
    credentials: true,
    maxAge: 600,
  });
}
