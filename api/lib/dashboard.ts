import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context } from 'hono';
import { API_PREFIX } from './auth.js';
import type { AppEnv, AppRouter } from './types.js';

// The web dashboard at `/`: the files Vite built from web/ into web/dist (`npm run build:web`, run by
// `npm ci`'s prepare step and by the image build). Everything comes from this origin, and the
// Content-Security-Policy makes the browser refuse anything else: no CDN, works offline. The pages
// are public files; the data behind them needs a token like any other API call.

export const DASHBOARD_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Built file names carry a content hash, so a browser may keep them for good; index.html never. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const contentSecurityPolicy = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Graphium dashboard not built</title></head>
<body><main><h1>The dashboard is not built</h1>
<p>Run <code>npm run build:web</code> (or <code>npm ci</code>, which runs it) and reload. The API itself
works: see <a href="${API_PREFIX}/docs">${API_PREFIX}/docs</a>.</p></main></body></html>
`;

async function servePage(c: Context<AppEnv>) {
  c.header('Content-Security-Policy', contentSecurityPolicy);
  c.header('Cache-Control', 'no-cache');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  try {
    return c.html(await readFile(`${DASHBOARD_DIST}/index.html`, 'utf8'));
  } catch {
    return c.html(notBuilt, 503);
  }
}

/**
 * Registers the dashboard: its hashed assets, and index.html for `/` and every other GET outside the
 * API, since the page routes itself (`/stacks/shop`, `/deployments/…`) in the browser. Call after the
 * API routes; unknown `/api/…` paths keep their JSON 404.
 */
export function serveDashboard(app: AppRouter): void {
  app.use(
    '/assets/*',
    async (c, next) => {
      await next();
      if (c.res.status === 200) {
        c.res.headers.set('Cache-Control', IMMUTABLE);
        c.res.headers.set('X-Content-Type-Options', 'nosniff');
      }
    },
    serveStatic({ root: DASHBOARD_DIST }),
  );
  app.get('/favicon.svg', serveStatic({ path: `${DASHBOARD_DIST}/favicon.svg` }));
  app.get('*', async (c, next) => {
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/assets/')) return next();
    return servePage(c);
  });
}
