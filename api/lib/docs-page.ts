import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { API_PREFIX } from './auth.js';
import type { AppRouter } from './types.js';

// Swagger UI at /api/v1/docs, entirely from our own origin: the page, swagger-ui-dist's files and a tiny
// initialiser script. Graphium machines often have no internet, so nothing may come from a CDN, and the
// Content-Security-Policy makes the browser enforce that.

export const DOCS_PATH = `${API_PREFIX}/docs`;
const ASSETS_PATH = `${DOCS_PATH}/assets`;
const distDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The only files served from swagger-ui-dist: a fixed list, so no path ever reaches the file system. */
const distAssets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const initScript = `window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '${API_PREFIX}/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Graphium API</title>
  <link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${ASSETS_PATH}/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${ASSETS_PATH}/init.js"></script>
</body>
</html>
`;

const contentSecurityPolicy =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'";

const cache = new Map<string, Promise<Buffer>>();
function readAsset(name: string): Promise<Buffer> {
  let content = cache.get(name);
  if (!content) {
    content = readFile(join(distDir, name));
    cache.set(name, content);
  }
  return content;
}

/** Registers the page, its assets, and `/docs` → `/api/v1/docs` for people who type the short path. */
export function serveDocsPage(app: AppRouter): void {
  app.get(DOCS_PATH, (c) => {
    c.header('Content-Security-Policy', contentSecurityPolicy);
    return c.html(page);
  });
  app.get(`${ASSETS_PATH}/init.js`, (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    return c.body(initScript);
  });
  app.get(`${ASSETS_PATH}/:file`, async (c) => {
    const type = distAssets[c.req.param('file')];
    if (!type) return c.notFound();
    c.header('Content-Type', type);
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(new Uint8Array(await readAsset(c.req.param('file'))));
  });
  app.get('/docs', (c) => c.redirect(DOCS_PATH));
}
