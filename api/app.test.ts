import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApi, json, type TestApi } from '../test/harness/api-app.js';
import { type TestInfra, useInfra } from '../test/harness/infra.js';

// Behaviour every route shares: the error shape, body limits, JSON syntax, unknown paths, crashes.

describe('API: shared request handling', () => {
  let infra: TestInfra;
  let api: TestApi;

  before(async () => {
    infra = await useInfra();
    api = await createTestApi(infra);
  });
  after(() => api?.close());

  it('answers a zod validation failure with 400 and every issue', async () => {
    const response = await api.request('POST', '/tokens', { json: { name: '', role: 'root', extra: 1 } });
    assert.equal(response.status, 400);
    const { error } = await json(response);
    assert.equal(error.code, 'invalid_request');
    assert.match(error.message, /^invalid request body: /);
    const paths = error.details.issues.map((issue: { path: string }) => issue.path).sort();
    assert.deepEqual(paths, ['', 'name', 'role'], JSON.stringify(error.details.issues));
  });

  it('answers malformed JSON with 400 and where it broke', async () => {
    const cases = [
      // V8 names a position for some errors: we turn it into a line and column.
      ['{\n  "name": "x",\n  "role": "viewer",\n}', /^malformed JSON body: .* \(line 4, column 1\)$/],
      // For others it quotes the text around the error.
      [
        '{\n  "name": "x",\n  "role": }',
        /^malformed JSON body: Unexpected token '}', .*"role": }" is not valid JSON/,
      ],
    ] as const;
    for (const [body, message] of cases) {
      const response = await api.request('POST', '/tokens', {
        body,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(response.status, 400);
      const { error } = await json(response);
      assert.equal(error.code, 'invalid_request');
      assert.match(error.message, message);
    }
  });

  it('answers an undeclared Content-Type with 400', async () => {
    const response = await api.request('POST', '/tokens', {
      body: 'name=x&role=viewer',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(response.status, 400);
    const { error } = await json(response);
    assert.equal(error.code, 'invalid_request');
    assert.match(error.message, /unsupported Content-Type \(text\/plain\)/);
  });

  it('refuses a body over 1 MiB with 413, with or without Content-Length', async () => {
    const body = JSON.stringify({ name: 'x', role: 'viewer', padding: 'x'.repeat(1024 * 1024) });
    const withAndWithoutLength: Record<string, string>[] = [
      { 'content-type': 'application/json', 'content-length': String(body.length) },
      { 'content-type': 'application/json' },
    ];
    for (const headers of withAndWithoutLength) {
      const response = await api.request('POST', '/tokens', { body, headers });
      assert.equal(response.status, 413);
      assert.equal((await json(response)).error.code, 'payload_too_large');
    }
  });

  it('answers an unknown path with 404 in the error shape, and asks for a token first', async () => {
    const response = await api.request('GET', '/no-such-thing');
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), {
      error: { code: 'not_found', message: 'no route for GET /api/v1/no-such-thing' },
    });
    assert.equal((await api.request('GET', '/no-such-thing', { token: null })).status, 401);
  });

  it('answers a method a known path does not have with 405, Allow and the error shape', async () => {
    const response = await api.request('PATCH', '/stacks');
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, HEAD, POST');
    assert.deepEqual(await response.json(), {
      error: {
        code: 'method_not_allowed',
        message: 'PATCH is not allowed on /api/v1/stacks; use GET, HEAD, POST',
      },
    });
    // Path parameters match any one segment; the methods of every router that serves the path count.
    const one = await api.request('POST', '/stacks/shop');
    assert.equal(one.status, 405);
    assert.equal(one.headers.get('allow'), 'DELETE, GET, HEAD, PUT');
    const health = await api.request('DELETE', '/healthz', { token: null });
    assert.equal(health.status, 401, 'a token is asked for first, as for unknown paths');
    const asAdmin = await api.request('PUT', '/healthz');
    assert.equal(asAdmin.status, 405);
    assert.equal(asAdmin.headers.get('allow'), 'GET, HEAD');
    assert.equal((await api.request('POST', '/stacks/shop/nothing-here')).status, 404);
  });

  it('accepts the bootstrap admin token', async () => {
    const response = await api.request('GET', '/tokens', { token: api.bootstrapToken });
    assert.equal(response.status, 200);
  });

  it('answers an unexpected failure with 500 and no internals', async () => {
    const broken = await createTestApi(infra, { logLevel: 'silent' });
    await broken.database.close();
    const response = await broken.request('GET', '/stacks');
    await broken.temporal.connection.close();
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), { error: { code: 'internal', message: 'internal error' } });
  });
});
