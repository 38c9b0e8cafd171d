import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { createLogger } from '../../lib/log.js';
import { createTestApi, json, type TestApi } from '../../test/harness/api-app.js';
import { useInfra } from '../../test/harness/infra.js';
import { createApp } from '../app.js';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './rate-limit.js';

// Failed authentications are limited per client address, mutating calls per token; both answer 429
// with Retry-After in the error shape. Each case builds an app with small limits over the same
// database and Temporal as the test API, so the tokens made there work here.

describe('rate limits', () => {
  let api: TestApi;

  before(async () => {
    api = await createTestApi(await useInfra());
  });
  after(() => api?.close());

  const appWith = (limits: Partial<RateLimits>) =>
    createApp({
      db: api.db,
      temporal: api.temporal,
      temporalAddress: 'unused:7233',
      adminToken: api.bootstrapToken,
      keyring: api.keyring,
      namespace: 'default',
      pickupTimeout: '60s',
      rateLimits: { ...DEFAULT_RATE_LIMITS, authFailures: 0, mutations: 0, ...limits },
      log: createLogger('rate-limit-test', 'silent'),
    });

  const assertLimited = async (response: Response, message: RegExp) => {
    assert.equal(response.status, 429);
    const retryAfter = Number(response.headers.get('retry-after'));
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
      `Retry-After ${retryAfter}`,
    );
    const { error } = await json(response);
    assert.equal(error.code, 'rate_limited');
    assert.match(error.message, message);
    assert.deepEqual(error.details, { retryAfter });
  };

  it('limits failed authentications per client address, on a real socket', async () => {
    const app = appWith({ authFailures: 3 });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    const call = (token: string, path = '/stacks') =>
      fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    try {
      // Successful requests do not count.
      for (let i = 0; i < 5; i++) assert.equal((await call(api.tokens.viewer)).status, 200);
      for (let i = 0; i < 3; i++) assert.equal((await call('gph_wrong')).status, 401);
      await assertLimited(await call('gph_wrong'), /too many failed authentications from this address/);
      // The address is locked out for the window, whatever token it sends next.
      await assertLimited(await call(api.tokens.viewer), /failed authentications/);
      // Public routes stay open: a health check from behind the same address still answers.
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('tells addresses apart behind trusted proxies, by X-Forwarded-For', async () => {
    const app = appWith({ authFailures: 2, trustedProxies: 1 });
    const from = (address: string, token = 'gph_wrong') =>
      app.request('/api/v1/hosts', {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': `203.0.113.9, ${address}` },
      });
    assert.equal((await from('198.51.100.1')).status, 401);
    assert.equal((await from('198.51.100.1')).status, 401);
    await assertLimited(await from('198.51.100.1'), /failed authentications/);
    // The proxy's own entry is the client; the one before it (set by the client) is not trusted.
    assert.equal((await from('198.51.100.2')).status, 401, 'another address has its own count');
    assert.equal((await from('198.51.100.2', api.tokens.viewer)).status, 200);
  });

  it('limits mutating calls per token, audited as refused', async () => {
    const app = appWith({ mutations: 2 });
    const put = (token: string) =>
      app.request('/api/v1/stacks/no-such-stack/variables', {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ variables: {} }),
      });
    assert.equal((await put(api.tokens.deployer)).status, 404);
    assert.equal((await put(api.tokens.deployer)).status, 404);
    await assertLimited(await put(api.tokens.deployer), /too many changes by this token/);
    // Reads are not limited, and another token has its own count.
    const read = await app.request('/api/v1/stacks', {
      headers: { authorization: `Bearer ${api.tokens.deployer}` },
    });
    assert.equal(read.status, 200);
    assert.equal((await put(api.tokens.admin)).status, 404);

    const audit = await json(await api.request('GET', '/audit?actor=test-deployer&limit=1'));
    assert.equal(audit.items[0].status, 429);
    assert.equal(audit.items[0].details.error, 'rate_limited');
  });

  it('lets a client in again once the window has passed', async () => {
    const app = appWith({ mutations: 1, windowMs: 1_000 });
    const post = () =>
      app.request('/api/v1/stacks/no-such-stack/stop', {
        method: 'POST',
        headers: { authorization: `Bearer ${api.tokens.deployer}` },
      });
    assert.equal((await post()).status, 404);
    const limited = await post();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    assert.equal((await post()).status, 404);
  });

  it('has defaults the CLI and the test suite never meet', () => {
    assert.deepEqual(DEFAULT_RATE_LIMITS, {
      authFailures: 60,
      mutations: 600,
      windowMs: 60_000,
      trustedProxies: 0,
    });
  });
});
