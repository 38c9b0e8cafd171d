import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApi, json, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';

const ERROR_STATUSES = ['400', '401', '403', '404', '409', '422'];
// The codec sign-in form takes its token in the form body, so it needs no bearer header.
const PUBLIC_OPERATIONS = [
  'get /api/v1/healthz',
  'get /api/v1/openapi.json',
  'get /api/v1/docs',
  'get /api/v1/temporal-codec/sign-in',
  'post /api/v1/temporal-codec/sign-in',
];

describe('public endpoints: health, OpenAPI document, docs page', () => {
  let api: TestApi;

  before(async () => {
    api = await createTestApi(await useInfra());
  });
  after(() => api?.close());

  it('GET /healthz answers without a token', async () => {
    const response = await api.request('GET', '/healthz', { token: null });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  describe('GET /openapi.json', () => {
    // biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is read field by field.
    let document: any;
    before(async () => {
      const response = await api.request('GET', '/openapi.json', { token: null });
      assert.equal(response.status, 200);
      document = await response.json();
    });

    it('is OpenAPI 3.1 with a bearer security scheme required by default', () => {
      assert.match(document.openapi, /^3\.1\./);
      assert.deepEqual(document.components.securitySchemes.bearerAuth, {
        type: 'http',
        scheme: 'bearer',
        description: document.components.securitySchemes.bearerAuth.description,
      });
      assert.deepEqual(document.security, [{ bearerAuth: [] }]);
    });

    it('lists every route of this API', () => {
      const operations = Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item as object).map((method) => `${method} ${path}`),
      );
      for (const expected of [
        ...PUBLIC_OPERATIONS,
        'post /api/v1/tokens',
        'get /api/v1/tokens',
        'delete /api/v1/tokens/{id}',
        'post /api/v1/hosts',
        'get /api/v1/hosts',
        'get /api/v1/hosts/{id}',
        'delete /api/v1/hosts/{id}',
        'post /api/v1/stacks',
        'get /api/v1/stacks',
        'get /api/v1/stacks/{id}',
        'put /api/v1/stacks/{id}',
        'get /api/v1/stacks/{id}/versions/{version}',
        'get /api/v1/audit',
      ]) {
        assert.ok(operations.includes(expected), `${expected} is missing from ${operations.join(', ')}`);
      }
    });

    it('documents the error responses of every authenticated route, and 413 where a body is taken', () => {
      for (const [path, item] of Object.entries(document.paths)) {
        // biome-ignore lint/suspicious/noExplicitAny: see above.
        for (const [method, operation] of Object.entries(item as Record<string, any>)) {
          const name = `${method} ${path}`;
          if (PUBLIC_OPERATIONS.includes(name)) {
            assert.deepEqual(operation.security, [], `${name} needs no token`);
            continue;
          }
          for (const status of ERROR_STATUSES) {
            assert.equal(
              operation.responses[status]?.content['application/json'].schema.$ref,
              '#/components/schemas/Error',
              `${name} documents ${status}`,
            );
          }
          if (operation.requestBody) assert.ok(operation.responses['413'], `${name} documents 413`);
        }
      }
    });

    it('accepts YAML and JSON for stack bodies', () => {
      const content = document.paths['/api/v1/stacks'].post.requestBody.content;
      assert.deepEqual(Object.keys(content).sort(), [
        'application/json',
        'application/x-yaml',
        'application/yaml',
        'text/yaml',
      ]);
    });
  });

  describe('GET /docs', () => {
    it('renders Swagger UI from local assets only, and every asset answers', async () => {
      const response = await api.request('GET', '/docs', { token: null });
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), '/api/v1/docs');

      const page = await api.request('GET', '/api/v1/docs', { token: null });
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      const html = await page.text();
      assert.doesNotMatch(html, /https?:\/\//, 'no absolute URL, so no CDN');
      const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
      assert.ok(references.length >= 3, `found ${references.join(', ')}`);
      for (const reference of references) {
        assert.match(reference, /^\/api\/v1\/docs\/assets\//);
        const asset = await api.request('GET', reference, { token: null });
        assert.equal(asset.status, 200, reference);
        assert.ok((await asset.arrayBuffer()).byteLength > 0, `${reference} is not empty`);
      }
    });

    it('serves only the listed assets', async () => {
      for (const path of ['/api/v1/docs/assets/package.json', '/api/v1/docs/assets/..%2Fpackage.json']) {
        const response = await api.request('GET', path, { token: null });
        assert.equal(response.status, 404, path);
        assert.equal((await json(response)).error.code, 'not_found');
      }
    });
  });
});
