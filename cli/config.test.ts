import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from './config.js';
import { UsageError } from './exit-codes.js';

describe('CLI configuration', () => {
  it('reads GRAPHIUM_API_URL and GRAPHIUM_TOKEN, with the documented default URL', () => {
    assert.deepEqual(resolveConfig({}, { GRAPHIUM_TOKEN: 'gph_x' }), {
      apiUrl: 'http://127.0.0.1:3000',
      token: 'gph_x',
    });
    assert.deepEqual(
      resolveConfig({}, { GRAPHIUM_TOKEN: 'gph_x', GRAPHIUM_API_URL: 'https://graphium.example/api/v1/' }),
      { apiUrl: 'https://graphium.example', token: 'gph_x' },
    );
  });

  it('lets flags win over the environment, and counts an empty variable as unset', () => {
    const env = { GRAPHIUM_TOKEN: 'from-env', GRAPHIUM_API_URL: '' };
    assert.deepEqual(resolveConfig({ token: 'from-flag', apiUrl: 'http://api:8080' }, env), {
      apiUrl: 'http://api:8080',
      token: 'from-flag',
    });
    assert.equal(resolveConfig({}, env).apiUrl, 'http://127.0.0.1:3000');
  });

  it('refuses a missing token or a URL that is not http(s) as usage errors', () => {
    assert.throws(() => resolveConfig({}, { GRAPHIUM_TOKEN: ' ' }), UsageError);
    assert.throws(() => resolveConfig({}, {}), /no API token: pass --token or set GRAPHIUM_TOKEN/);
    assert.throws(() => resolveConfig({ apiUrl: 'localhost:3000' }, { GRAPHIUM_TOKEN: 'x' }), UsageError);
    assert.throws(() => resolveConfig({ apiUrl: 'not a url' }, { GRAPHIUM_TOKEN: 'x' }), /is not a URL/);
  });
});
