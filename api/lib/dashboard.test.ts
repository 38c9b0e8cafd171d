import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApi, json, type TestApi } from '../../test/harness/api-app.js';
import { useInfra } from '../../test/harness/infra.js';
import { DASHBOARD_DIST } from './dashboard.js';

// How the API serves the built dashboard (web/dist, made by `npm run build:web`, which `npm ci` runs).
// The pages themselves are driven in a browser by test/e2e/dashboard.test.ts.

describe('the dashboard files', () => {
  let api: TestApi;
  const get = (path: string, headers: Record<string, string> = {}) =>
    Promise.resolve(api.app.request(path, { headers }));

  before(async () => {
    assert.ok(
      existsSync(join(DASHBOARD_DIST, 'index.html')),
      `${DASHBOARD_DIST} is missing: run npm run build:web (npm ci runs it)`,
    );
    api = await createTestApi(await useInfra());
  });
  after(() => api?.close());

  it('serves the page at / and at every page path, never cached, locked to this origin', async () => {
    for (const path of ['/', '/stacks/shop', '/deployments/0b6c?x=1', '/hosts']) {
      const response = await get(path);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(response.headers.get('cache-control'), 'no-cache');
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/, 'no inline or foreign scripts');
      assert.match(await response.text(), /<div id="app"><\/div>/);
    }
  });

  it('serves the hashed assets for good, and nothing outside them', async () => {
    const [script] = readdirSync(join(DASHBOARD_DIST, 'assets')).filter((file) => file.endsWith('.js'));
    assert.ok(script, 'the build wrote a script');
    const response = await get(`/assets/${script}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /javascript/);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal((await get('/favicon.svg')).status, 200);
    assert.equal((await get('/assets/nope.js')).status, 404);
    // URL parsing resolves dot segments, escaped or not, before routing: these reach `/package.json`,
    // which is a page path, so they get the page; never the file.
    for (const path of [
      '/assets/../package.json',
      '/assets/%2e%2e/package.json',
      '/assets/..%2fpackage.json',
    ]) {
      const response = await get(path);
      assert.doesNotMatch(await response.text(), /"name": "graphium"/, path);
    }
  });

  it('leaves the API alone: unknown API paths keep their JSON 404, and pages need no token', async () => {
    const response = await get('/api/v1/no-such-thing', { authorization: `Bearer ${api.tokens.viewer}` });
    assert.equal(response.status, 404);
    assert.equal((await json(response)).error.code, 'not_found');
    assert.equal((await get('/api/v1/stacks')).status, 401, 'the data behind the pages still needs a token');
  });
});
