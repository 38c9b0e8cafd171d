import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { findTemporalCli } from '../../lib/temporal-dev-server.js';
import { json } from '../harness/api-app.js';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { startAgent, startApi, startOrchestrator, stopAll, waitUntilPolling } from '../harness/graphium.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { freePort, waitFor } from '../harness/ports.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { PrivatePostgres } from '../harness/private-postgres.js';
import type { ManagedProcess } from '../harness/processes.js';

// A deploy's Temporal history, as anyone who can read Temporal sees it (`temporal workflow show`), holds
// no environment value and no secret of the stack: every payload is sealed. An SRE holding an admin
// token (or a decode-only `codec` token) reads them through the API's codec endpoint, with the CLI or the
// Temporal UI (a cookie, never a token in a URL); nobody else does.

const STACK = 'codec-shop';
const UI_ORIGIN = 'http://127.0.0.1:18233';
const CODEC_TOKEN_NAME = 'temporal-ui';
const run = promisify(execFile);

/** Every string of a JSON value, and what each decodes to when it is base64 of text, recursively. */
function readableTexts(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') {
    const out = [value];
    if (depth < 4 && value.length >= 8 && /^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) {
      const text = Buffer.from(value, 'base64').toString('utf8');
      if (!text.includes('\uFFFD')) {
        out.push(text);
        try {
          out.push(...readableTexts(JSON.parse(text), depth + 1));
        } catch {
          out.push(...readableTexts(text, depth + 1));
        }
      }
    }
    return out;
  }
  if (Array.isArray(value)) return value.flatMap((item) => readableTexts(item, depth));
  if (value && typeof value === 'object') return Object.values(value).flatMap((v) => readableTexts(v, depth));
  return [];
}

describe('Temporal histories hold sealed payloads; the codec endpoint opens them for admins only', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let baseUrl: string;
  let cli: string;
  const processes: ManagedProcess[] = [];
  const adminToken = `e2e-${randomBytes(16).toString('hex')}`;
  let deployerToken: string;
  let codecToken: string;
  let codecTokenId: string;
  const envValue = `env-value-${randomBytes(8).toString('hex')}`;
  const secretValue = `secret-value-${randomBytes(8).toString('hex')}`;
  const workflowIds: string[] = [];

  const call = (method: string, path: string, token: string | null, body?: unknown, headers = {}) =>
    fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** `temporal workflow show`, as an SRE runs it; resolves with its exit code and output. */
  const show = async (workflowId: string, ...flags: string[]) => {
    try {
      const { stdout, stderr } = await run(cli, [
        'workflow',
        'show',
        '--address',
        infra.temporalAddress,
        '--namespace',
        infra.namespace,
        '-w',
        workflowId,
        ...flags,
      ]);
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, output: failed.stdout + failed.stderr };
    }
  };

  /** The form as a browser posts it: from the API's own page (its Origin), unless said otherwise. */
  const signInResponse = (token: string, origin = baseUrl) =>
    fetch(`${baseUrl}/api/v1/temporal-codec/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ token }).toString(),
    });

  /** The sign-in form as a browser posts it; resolves with the cookie the browser then keeps. */
  const signIn = async (token: string): Promise<string> => {
    const response = await signInResponse(token);
    assert.equal(response.status, 200, await response.clone().text());
    const setCookie = response.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Strict/i);
    assert.match(setCookie, /Path=\/api\/v1\/temporal-codec\/decode/);
    return setCookie.split(';')[0]!;
  };

  before(async () => {
    infra = await useInfra();
    const found = findTemporalCli(process.env);
    assert.ok(found, 'the Temporal CLI (TEMPORAL_CLI or temporal on PATH)');
    cli = found;
    database = await createTestDatabase(infra.pgAdminUrl);
    const api = await startApi(infra, database.url, adminToken, 'api', { TEMPORAL_UI_URL: UI_ORIGIN });
    processes.push(api.process);
    baseUrl = api.baseUrl;
    processes.push(startOrchestrator(infra, database.url));
    processes.push(startAgent(infra, 'vm1', infra.dockerHosts[0]!.dockerHost));
    await waitUntilPolling(processes.slice(1));
    const token = await call('POST', '/tokens', adminToken, { name: 'codec-deployer', role: 'deployer' });
    deployerToken = (await json(token)).token;
    const codec = await json(
      await call('POST', '/tokens', adminToken, { name: CODEC_TOKEN_NAME, role: 'codec' }),
    );
    assert.equal(codec.role, 'codec');
    codecToken = codec.token;
    codecTokenId = codec.id;
    assert.equal((await call('POST', '/hosts', adminToken, { id: 'vm1' })).status, 201);
  });

  after(async () => {
    await stopAll(processes);
    await database?.drop();
  });

  it('a deploy whose stack has an environment value and a secret file: neither is in its history', async () => {
    const compose = `
services:
  app:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    environment:
      APP_PASSWORD: ${envValue}
    secrets: [api_key]
secrets:
  api_key:
    file: ./api-key.txt
`;
    const files = [
      { path: 'compose.yaml', content: Buffer.from(compose).toString('base64') },
      { path: 'api-key.txt', content: Buffer.from(secretValue).toString('base64') },
    ];
    const created = await call('POST', '/stacks', deployerToken, {
      name: STACK,
      project: { composeFiles: ['compose.yaml'], files },
    });
    assert.equal(created.status, 201, await created.clone().text());
    const started = await call('POST', `/stacks/${STACK}/deploy`, deployerToken);
    assert.equal(started.status, 202, await started.clone().text());
    const { deploymentId, workflowId } = await json(started);
    let status = '';
    await waitFor('the deploy to end', async () => {
      const deployment = await json(await call('GET', `/deployments/${deploymentId}`, deployerToken));
      status = deployment.status;
      return !['pending', 'running'].includes(status);
    });
    assert.equal(status, 'succeeded');

    // Both values really travelled to the host through Temporal.
    const probe = new DaemonProbe(infra.dockerHosts[0]!.socketPath);
    const container = await probe.inspect(`${STACK}_app_1`);
    assert.ok(container.Config.Env.includes(`APP_PASSWORD=${envValue}`));
    assert.equal((await probe.exec(`${STACK}_app_1`, ['cat', '/run/secrets/api_key'])).output, secretValue);

    const parent = await show(workflowId, '--output', 'json');
    assert.equal(parent.code, 0, parent.output);
    // One history per deploy: every replica step, with its container's definition, is in it.
    assert.match(parent.output, /"deployReplica"/, 'the deploy scheduled its replicas');
    workflowIds.push(workflowId);
    for (const id of workflowIds) {
      for (const format of [['--output', 'json'], ['--detailed']]) {
        const { code, output } = await show(id, ...format);
        assert.equal(code, 0, output);
        const texts = format[0] === '--output' ? readableTexts(JSON.parse(output)) : [output];
        for (const value of [envValue, secretValue]) {
          assert.ok(!texts.some((text) => text.includes(value)), `${id} ${format.join(' ')} shows ${value}`);
        }
        if (format[0] === '--output') {
          assert.ok(
            texts.some((text) => text === 'binary/graphium-sealed'),
            `${id}: the payloads are sealed`,
          );
        }
      }
    }
  });

  it('the codec endpoint opens them for an admin token, for the CLI and the Temporal UI', async () => {
    const endpoint = `${baseUrl}/api/v1/temporal-codec`;
    const decoded = await Promise.all(
      workflowIds.map((id) =>
        show(id, '--output', 'json', '--codec-endpoint', endpoint, '--codec-auth', `Bearer ${adminToken}`),
      ),
    );
    for (const { code, output } of decoded) assert.equal(code, 0, output);
    const texts = decoded.flatMap(({ output }) => readableTexts(JSON.parse(output)));
    assert.ok(
      texts.some((t) => t.includes(envValue)),
      'the environment value, decoded',
    );
    assert.ok(
      texts.some((t) => t.includes(secretValue)),
      'the secret file, decoded',
    );

    // The Temporal UI's way: a codec token, traded once for an HttpOnly cookie at the sign-in form; the
    // UI's fetch ("include credentials") then sends the cookie after a CORS preflight from its origin.
    const cookie = await signIn(codecToken);
    const preflight = await fetch(`${endpoint}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /X-Namespace/i);
    const sealed = JSON.parse((await show(workflowIds[0]!, '--output', 'json')).output).events[0]
      .workflowExecutionStartedEventAttributes.input;
    const viaUi = await fetch(`${endpoint}/decode`, {
      method: 'POST',
      headers: {
        origin: UI_ORIGIN,
        cookie,
        'content-type': 'application/json',
        'x-namespace': infra.namespace,
      },
      body: JSON.stringify(sealed),
    });
    assert.equal(viaUi.status, 200, await viaUi.clone().text());
    assert.equal(viaUi.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.equal(viaUi.headers.get('access-control-allow-credentials'), 'true');
    const body = (await viaUi.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString(), 'json/plain');
    assert.ok(Buffer.from(body.payloads[0]!.data, 'base64').toString().includes(envValue));

    // Every decode is audited: who, and how many payloads (never what they hold).
    const audit = await json(await call('GET', `/audit?actor=${CODEC_TOKEN_NAME}`, adminToken));
    const decodes = (
      audit.items as { action: string; status: number; details: Record<string, unknown> }[]
    ).filter((entry) => entry.action === 'POST /api/v1/temporal-codec/decode');
    assert.ok(decodes.length >= 1, JSON.stringify(audit.items));
    assert.deepEqual(decodes[0]!.details, { payloads: sealed.payloads.length, tokenId: codecTokenId });
    assert.equal(decodes[0]!.status, 200);
  });

  it('and refuses without a token, with a wrong one, in a path, or below admin; a codec token decodes only', async () => {
    const endpoint = `${baseUrl}/api/v1/temporal-codec`;
    const withoutToken = await show(workflowIds[0]!, '--output', 'json', '--codec-endpoint', endpoint);
    assert.ok(!withoutToken.output.includes(envValue), 'nothing decoded without a token');
    assert.notEqual(withoutToken.code, 0, withoutToken.output);
    const deployer = await show(
      workflowIds[0]!,
      '--output',
      'json',
      '--codec-endpoint',
      endpoint,
      '--codec-auth',
      `Bearer ${deployerToken}`,
    );
    assert.ok(!deployer.output.includes(envValue), 'nothing decoded for a deployer');

    const sealed = JSON.parse((await show(workflowIds[0]!, '--output', 'json')).output).events[0]
      .workflowExecutionStartedEventAttributes.input;
    const post = (path: string, token: string | null) => call('POST', path, token, sealed);
    assert.equal((await post('/temporal-codec/decode', null)).status, 401);
    // A token in the path opens nothing: the UI would serve that URL to anyone, and logs keep URLs.
    assert.equal((await post(`/temporal-codec/${adminToken}/decode`, null)).status, 401);
    assert.equal((await post('/temporal-codec/decode', deployerToken)).status, 403);
    assert.equal((await post('/temporal-codec/decode', adminToken)).status, 200);
    assert.equal((await post('/temporal-codec/decode', codecToken)).status, 200);
    // A codec token decodes and does nothing else, not even reading.
    assert.equal((await call('GET', '/stacks', codecToken)).status, 403);
    assert.equal((await call('GET', '/me', codecToken)).status, 403);
    assert.equal((await call('POST', '/tokens', codecToken, { name: 'x', role: 'admin' })).status, 403);
    // The sign-in form takes codec and admin tokens only.
    assert.equal((await signInResponse(deployerToken)).status, 403);
    assert.equal((await signInResponse('gph_not-a-token')).status, 401);
    // Another site's page cannot sign this browser in with a token of its own (login CSRF).
    assert.equal((await signInResponse(codecToken, 'https://attacker.example')).status, 403);
    // Revoked: its cookie stops working at once.
    const other = await json(
      await call('POST', '/tokens', adminToken, { name: 'codec-revoked', role: 'codec' }),
    );
    const cookie = await signIn(other.token);
    const withCookie = () =>
      fetch(`${endpoint}/decode`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify(sealed),
      });
    assert.equal((await withCookie()).status, 200);
    assert.equal((await call('DELETE', `/tokens/${other.id}`, adminToken)).status, 204);
    assert.equal((await withCookie()).status, 401);
    // The cookie reaches the decode route only: elsewhere it is no token at all.
    assert.equal((await fetch(`${baseUrl}/api/v1/stacks`, { headers: { cookie } })).status, 401);
    // Another origin gets no CORS grant: a page elsewhere cannot read what the API answers.
    const elsewhere = await fetch(`${endpoint}/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.notEqual(elsewhere.headers.get('access-control-allow-origin'), 'http://evil.example');
  });

  it('no token in a URL the UI serves or the API logs, the database down included', async () => {
    // The Temporal UI serves its settings, codec endpoint included, to whoever opens it.
    const ui = await freePort();
    const server = spawn(cli, [
      'server',
      'start-dev',
      '--port',
      String(await freePort()),
      '--ui-port',
      String(ui),
      '--ui-codec-endpoint',
      `${baseUrl}/api/v1/temporal-codec`,
      '--log-level',
      'error',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'codec-pg-'));
    const postgres = await PrivatePostgres.create(dir);
    let api: ManagedProcess | undefined;
    try {
      await waitFor(
        'the Temporal UI',
        async () => (await fetch(`http://127.0.0.1:${ui}/api/v1/settings`).catch(() => undefined))?.ok,
        { timeoutMs: 60_000 },
      );
      const settings = await (await fetch(`http://127.0.0.1:${ui}/api/v1/settings`)).text();
      assert.match(settings, /temporal-codec/);
      // An API on a database that then goes away: the failed token look-ups are logged with their path.
      const doomed = await createTestDatabase(postgres.adminUrl);
      const started = await startApi(infra, doomed.url, adminToken, 'api-db-down', {
        TEMPORAL_UI_URL: UI_ORIGIN,
      });
      api = started.process;
      const made = await json(
        await fetch(`${started.baseUrl}/api/v1/tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'ui', role: 'codec' }),
        }),
      );
      await postgres.stop();
      const decode = (path: string, headers: Record<string, string>) =>
        fetch(`${started.baseUrl}/api/v1/temporal-codec${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: UI_ORIGIN, ...headers },
          body: JSON.stringify({ payloads: [] }),
        });
      for (const response of [
        await decode('/decode', { authorization: `Bearer ${made.token}` }),
        await decode('/decode', { cookie: `graphium_codec=${made.token}` }),
        // What the UI's endpoint used to be.
        await decode(`/${made.token}/decode`, {}),
      ]) {
        assert.notEqual(response.status, 200);
        assert.ok(response.status !== 500 || (await response.text()).includes('"error"'));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const [where, text] of [
        ['the UI settings', settings],
        ['the API logs', api.logs],
      ] as const) {
        for (const token of [made.token as string, adminToken]) {
          assert.ok(!text.includes(token), `${where} hold a token`);
        }
      }
    } finally {
      server.kill('SIGTERM');
      await api?.stop(10_000);
      await postgres.destroy();
    }
  });
});
