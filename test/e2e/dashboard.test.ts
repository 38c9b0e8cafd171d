import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { startAgent, startApi, startOrchestrator, stopAll, waitUntilPolling } from '../harness/graphium.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { LOG_DIR_ENV, type ManagedProcess, REPO_ROOT } from '../harness/processes.js';

// The dashboard in a real Chromium against the real API, orchestrator and two agents on real dockerd
// hosts. Every page is screenshotted into the run's folder (.tmp/runs/<pid>/screenshots) and scanned
// with axe-core: no serious or critical violation may remain.

const SCREENSHOTS = join(dirname(process.env[LOG_DIR_ENV] ?? join(REPO_ROOT, '.tmp', 'logs')), 'screenshots');
const TEMPORAL_UI_URL = 'http://127.0.0.1:8233';

/** Two services in dependency order, each healthy about 3 s after it starts: a rollout in visible steps. */
const composeV1 = `services:
  db:
    image: ${TEST_IMAGE}
    command: sleep 3600
    healthcheck: { test: ["CMD-SHELL", "test -f /tmp/up || (sleep 2 && touch /tmp/up && false)"], interval: 1s, timeout: 5s, retries: 10 }
    deploy: { replicas: 2 }
  app:
    image: ${TEST_IMAGE}
    command: sleep 3600
    environment: { API_KEY: s3cret-value }
    depends_on: { db: { condition: service_healthy } }
    healthcheck: { test: ["CMD-SHELL", "test -f /tmp/up || (sleep 2 && touch /tmp/up && false)"], interval: 1s, timeout: 5s, retries: 10 }
    deploy: { replicas: 2 }
`;

/**
 * v2: the app exits at start, saying why; the deploy fails and rolls back to v1. (Without a
 * healthcheck: with one, the agent reports the failed check instead of the exit and its output.)
 */
const composeV2 = `services:
  db:
    image: ${TEST_IMAGE}
    command: sleep 3600
    healthcheck: { test: ["CMD-SHELL", "test -f /tmp/up || (sleep 2 && touch /tmp/up && false)"], interval: 1s, timeout: 5s, retries: 10 }
    deploy: { replicas: 2 }
  app:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo starting app; echo cannot open /data/config.yml >&2; exit 3"]
    environment: { API_KEY: s3cret-value }
    depends_on: { db: { condition: service_healthy } }
    deploy: { replicas: 2 }
`;

/** v3: v1 with one more setting, which tells its containers from v1's on the daemons. */
const composeV3 = composeV1.replace(
  'environment: { API_KEY: s3cret-value }',
  'environment: { API_KEY: s3cret-value, RELEASE: v3 }',
);

/**
 * Run in the page: samples the progress bar and every container row's state each 50 ms into
 * `window.seen`. A reload would wipe it, so finding it at the end proves the page was never reloaded.
 */
const RECORD_CHANGES = `
  window.seen = { progress: [], rows: {} };
  setInterval(() => {
    const value = document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow');
    if (value && window.seen.progress.at(-1) !== value) window.seen.progress.push(value);
    for (const row of document.querySelectorAll('tr[data-container]')) {
      const name = row.getAttribute('data-container');
      const states = window.seen.rows[name] || (window.seen.rows[name] = []);
      const status = row.getAttribute('data-status');
      if (states.at(-1) !== status) states.push(status);
    }
  }, 50);
`;

interface Recorded {
  progress: string[];
  rows: Record<string, string[]>;
}

describe('dashboard (real API, orchestrator, agents and Chromium)', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let api: { process: ManagedProcess; baseUrl: string };
  let browser: Browser;
  let page: Page;
  const processes: ManagedProcess[] = [];
  const adminToken = randomBytes(24).toString('hex');
  const tokens = { deployer: '', viewer: '' };
  const deployments = { succeeded: '', rolledBack: '' };

  const call = async (method: string, path: string, body?: unknown): Promise<{ token: string }> => {
    const response = await fetch(`${api.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
    return (await response.json()) as { token: string };
  };

  /** A full-page screenshot in the run's folder, and an axe-core scan of the page as it is. */
  const inspect = async (name: string) => {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(
        (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`,
      );
    assert.deepEqual(serious, [], `accessibility of ${name}`);
  };

  const signIn = async (token: string) => {
    await page.goto(`${api.baseUrl}/`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  };

  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
  };

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    infra = await useInfra();
    database = await createTestDatabase(infra.pgAdminUrl);
    api = await startApi(infra, database.url, adminToken, 'api', { TEMPORAL_UI_URL });
    processes.push(
      api.process,
      startOrchestrator(infra, database.url),
      startAgent(infra, 'vm1', infra.dockerHosts[0]!.dockerHost),
      startAgent(infra, 'vm2', infra.dockerHosts[1]!.dockerHost),
    );
    await waitUntilPolling(processes.slice(1));
    await call('POST', '/hosts', { id: 'vm1', labels: { zone: 'a' } });
    await call('POST', '/hosts', { id: 'vm2', labels: { zone: 'b', disk: 'ssd' } });
    tokens.deployer = (await call('POST', '/tokens', { name: 'ci-deployer', role: 'deployer' })).token;
    tokens.viewer = (await call('POST', '/tokens', { name: 'sre-viewer', role: 'viewer' })).token;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    // A context of its own: axe-core's scan opens a page in the same context.
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await browser?.close();
    await stopAll(processes);
    await database?.drop();
  });

  it('signs in with a token kept for the tab, refusing a wrong one, and loads nothing from elsewhere', async () => {
    const origins = new Set<string>();
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    await page.goto(`${api.baseUrl}/`);
    await page.getByRole('heading', { name: 'Sign in to Graphium' }).waitFor();
    await inspect('01-sign-in');
    await page.getByLabel('API token').fill('gph_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'invalid or revoked token' }).waitFor();

    await page.getByLabel('API token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Deployments', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/deployments');
    assert.equal(await page.evaluate("sessionStorage.getItem('graphium.token')"), adminToken);
    assert.equal(await page.evaluate('localStorage.length'), 0, 'nothing kept beyond the session');
    await page.reload();
    await page.getByText('bootstrap-admin').waitFor();
    assert.deepEqual([...origins], [api.baseUrl]);
  });

  it('shows the hosts online with their agents and labels', async () => {
    await page.getByRole('link', { name: 'Hosts' }).click();
    const vm1 = page.getByRole('article', { name: 'vm1' });
    await vm1.getByText('online').waitFor();
    await page.getByRole('article', { name: 'vm2' }).getByText('online').waitFor();
    assert.match((await vm1.textContent()) ?? '', /agent:vm1@/);
    assert.match((await page.getByRole('article', { name: 'vm2' }).textContent()) ?? '', /disk=ssd/);
    await inspect('02-hosts-empty');
  });

  it('creates and deploys a stack, and follows the rollout live without a reload', async () => {
    await page.getByRole('link', { name: 'Stacks' }).click();
    await page.getByRole('button', { name: 'New stack' }).click();
    await page.getByLabel('Name').fill('web');
    await page.getByLabel('Compose file').fill(composeV1);
    await inspect('03-new-stack');
    await page.getByRole('button', { name: 'Create stack' }).click();
    await page.getByRole('heading', { name: 'web', level: 1 }).waitFor();
    // Every registered operation type gets a form built from its options schema (GET /operation-types).
    const operations = page.getByRole('region', { name: 'Run an operation' });
    await operations.getByRole('article', { name: 'deploy' }).waitFor();
    assert.equal(await operations.getByRole('button', { name: 'Run deploy' }).count(), 1);

    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.waitForURL(/\/deployments\/[0-9a-f-]{36}$/);
    deployments.succeeded = page.url().split('/').pop()!;
    // Recorded inside the page: a reload would wipe this record, so its survival proves there was none.
    await page.evaluate(RECORD_CHANGES);
    await page.locator('tr[data-status="healthy"]').first().waitFor();
    await inspect('04-deployment-running');
    await page.locator('.status-line .badge', { hasText: 'succeeded' }).waitFor({ timeout: 120_000 });
    // The sampler runs every 50 ms: give it the final state before reading what it saw.
    await page.waitForFunction(
      `window.seen && window.seen.progress.at(-1) === '100' && Object.values(window.seen.rows).every((s) => s.at(-1) === 'healthy')`,
    );
    const seen = (await page.evaluate('window.seen')) as Recorded | undefined;
    assert.ok(seen, 'the page was never reloaded');
    assert.equal(seen.progress.at(-1), '100');
    assert.ok(
      seen.progress.some((value) => Number(value) > 0 && Number(value) < 100),
      `the bar moved through intermediate values: ${seen.progress.join(' → ')}`,
    );
    assert.deepEqual(Object.keys(seen.rows).sort(), ['web_app_1', 'web_app_2', 'web_db_1', 'web_db_2']);
    for (const [name, states] of Object.entries(seen.rows)) {
      assert.ok(states.length >= 2, `${name} changed state in place: ${states.join(' → ')}`);
      assert.equal(states.at(-1), 'healthy', name);
    }
    const link = await page.getByRole('link', { name: 'Open in Temporal UI' }).getAttribute('href');
    assert.match(
      link ?? '',
      /^http:\/\/127\.0\.0\.1:8233\/namespaces\/default\/workflows\/deploy-web-1\/[0-9a-f-]+\/history$/,
    );
    assert.match((await page.locator('tbody').textContent()) ?? '', /agent:vm[12]@/);
    await inspect('05-deployment-succeeded');

    await page.getByRole('link', { name: 'web', exact: true }).first().click();
    const containers = page.getByRole('region', { name: 'Containers now' });
    await containers.getByText('web_app_2').waitFor();
    assert.equal(await containers.locator('tbody tr').count(), 4);
    await inspect('06-stack');
  });

  it('shows a failed deploy’s error with the container’s last lines, and its rollback', async () => {
    await page.getByRole('button', { name: 'Edit as a new version' }).click();
    await page.getByLabel(/Compose file/).fill(composeV2);
    await page.getByRole('button', { name: 'Save version' }).click();
    await page.getByText('Saved as v2').waitFor();
    await page.getByText(/^version 2 · /).waitFor();
    assert.equal(
      await page.getByLabel('Version to deploy').inputValue(),
      '2',
      'the new version is offered first',
    );
    const compare = page.getByRole('region', { name: 'Compare versions' });
    await compare.getByText('v1 → v2').waitFor();
    assert.match((await compare.textContent()) ?? '', /cannot open \/data\/config\.yml/);
    await inspect('07-stack-v2-diff');

    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.waitForURL(/\/deployments\/[0-9a-f-]{36}$/);
    deployments.rolledBack = page.url().split('/').pop()!;
    const failure = page.locator('.error-panel');
    await failure.getByText('Failed and rolled back').waitFor({ timeout: 120_000 });
    const failureText = (await failure.textContent()) ?? '';
    assert.match(failureText, /exited with code 3/);
    assert.match(failureText, /cannot open \/data\/config\.yml/);
    assert.match(failureText, /previous version keeps running/);
    // The failed row carries the container's own last lines.
    await page.locator('tr[data-status="failed"]', { hasText: 'starting app' }).first().waitFor();
    await page.locator('.status-line .badge', { hasText: 'rolled back' }).waitFor();
    await inspect('08-deployment-rolled-back');

    // v1 is what runs on the daemons again.
    const probes = infra.dockerHosts.slice(0, 2).map((host) => new DaemonProbe(host.socketPath));
    const running = (
      await Promise.all(probes.map((probe) => probe.containers({ 'io.graphium.stack': 'web' })))
    )
      .flat()
      .filter((container) => container.state === 'running')
      .map((container) => container.name)
      .sort();
    assert.deepEqual(running, ['web_app_1', 'web_app_2', 'web_db_1', 'web_db_2']);
  });

  it('filters the deployments and the audit log by stack, status and who', async () => {
    await page.getByRole('link', { name: 'Deployments' }).click();
    await page.getByLabel('Status').selectOption('rolled_back');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=rolled_back/);
    await page.getByRole('link', { name: 'deploy-web-2' }).waitFor();
    assert.equal(await page.locator('tbody tr').count(), 1);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Requested by').fill('bootstrap-admin');
    await page.getByLabel('Stack').fill('web');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/who=bootstrap-admin/);
    await page.getByRole('link', { name: 'deploy-web-1' }).waitFor();
    assert.equal(await page.locator('tbody tr').count(), 2);
    await inspect('09-deployments');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Stack').fill('web');
    await page.getByLabel('Status').selectOption('2xx');
    await page.getByLabel('Who').fill('bootstrap-admin');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=2xx/);
    await page.getByText('POST /api/v1/stacks/:id/deploy').first().waitFor();
    assert.equal(await page.getByText('POST /api/v1/tokens').count(), 0, 'only the filtered entries show');
    const actions = await page.locator('tbody tr td:nth-child(3)').allTextContents();
    assert.deepEqual(actions, [
      'POST /api/v1/stacks/:id/deploy',
      'PUT /api/v1/stacks/:id',
      'POST /api/v1/stacks/:id/deploy',
      'POST /api/v1/stacks',
    ]);
    await inspect('10-audit');
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByText('web_db_1').first().waitFor();
    await inspect('11-hosts');
    await signOut();
  });

  it('shows a viewer no button that would answer 403, and no environment values', async () => {
    const refused: string[] = [];
    const onResponse = (response: { status(): number; url(): string }) => {
      if (response.status() === 403) refused.push(response.url());
    };
    page.on('response', onResponse);
    try {
      await signIn(tokens.viewer);
      const nav = await page.getByRole('navigation', { name: 'Main' }).textContent();
      assert.doesNotMatch(nav ?? '', /Audit/);
      await page.getByRole('link', { name: 'Stacks' }).click();
      await page.getByRole('link', { name: 'web' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'New stack' }).count(), 0);
      await page.getByRole('link', { name: 'web' }).click();
      await page.getByRole('region', { name: 'Containers now' }).getByText('web_app_1').waitFor();
      await page.getByText('environment values hidden').waitFor();
      const body = (await page.locator('main').textContent()) ?? '';
      assert.doesNotMatch(body, /s3cret-value/);
      assert.match(body, /API_KEY\W+\*\*\*/);
      await inspect('12-stack-as-viewer');

      await page.goto(`${api.baseUrl}/deployments/${deployments.rolledBack}`);
      await page.locator('.error-panel').waitFor();
      await inspect('13-deployment-as-viewer');
      await page.goto(`${api.baseUrl}/audit`);
      await page.getByText('The audit log is for admins.').waitFor();
      for (const path of [
        '/stacks/web',
        `/deployments/${deployments.rolledBack}`,
        '/deployments',
        '/hosts',
      ]) {
        await page.goto(`${api.baseUrl}${path}`);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        const buttons = await page.locator('main button').allTextContents();
        const forbidden = buttons.filter((text) =>
          /^(Deploy|Start|Stop|Delete|Cancel|New stack|Edit as a new version|Save version|Create stack)$/.test(
            text.trim(),
          ),
        );
        assert.deepEqual(forbidden, [], `buttons a viewer sees on ${path}`);
      }
      assert.deepEqual(refused, [], 'the dashboard made no request a viewer is refused');
      await signOut();
    } finally {
      page.off('response', onResponse);
    }
  });

  it('runs a canary from its schema form, and promotes it from the page', async () => {
    // v3: the app with a new setting, so the canary and the promoted rollout are told from v1 by it.
    await call('PUT', '/stacks/web', { compose: composeV3 });
    await signIn(tokens.deployer);
    await page.goto(`${api.baseUrl}/stacks/web`);
    const form = page.getByRole('article', { name: 'canary' });
    await form.waitFor();
    await form.getByLabel('Services').fill('app');
    await form.getByLabel('Replicas').fill('1');
    await form.getByLabel('Watch').fill('2s');
    await inspect('14-operation-form');
    const posted = page.waitForRequest(
      (request) => request.method() === 'POST' && request.url().endsWith('/stacks/web/operations/canary'),
    );
    await form.getByRole('button', { name: 'Run canary' }).click();
    assert.deepEqual((await posted).postDataJSON(), {
      version: 3,
      options: { services: ['app'], replicas: 1, watch: '2s' },
    });
    await page.waitForURL(/\/deployments\/[0-9a-f-]{36}$/);

    // Healthy and watched, the canary waits for a person: the page says so, with the deadline.
    const panel = page.getByRole('region', { name: 'Waiting for a decision' });
    await panel.waitFor({ timeout: 120_000 });
    assert.match((await panel.textContent()) ?? '', /promote or abort until .* \(in (29|30) min\)/);
    await inspect('15-deployment-awaiting');
    const probes = infra.dockerHosts.slice(0, 2).map((host) => new DaemonProbe(host.socketPath));
    const appContainers = async () =>
      (
        await Promise.all(
          probes.map((probe) =>
            probe.containers({ 'io.graphium.stack': 'web', 'io.graphium.service': 'app' }),
          ),
        )
      ).flat();
    const releaseOf = async (name: string) =>
      (
        await Promise.all(
          probes.map((probe) =>
            probe.inspect(name).then(
              (c) => c.Config.Env,
              () => undefined,
            ),
          ),
        )
      )
        .flatMap((env) => env ?? [])
        .find((value) => value.startsWith('RELEASE='));
    const during = (await appContainers()).filter((c) => c.state === 'running').map((c) => c.name);
    const canaries = during.filter((name) => name.includes('.canary-'));
    assert.equal(canaries.length, 1, `one canary beside the old replicas: ${during.join(', ')}`);
    assert.equal(await releaseOf(canaries[0]!), 'RELEASE=v3');
    assert.equal(await releaseOf('web_app_1'), undefined, 'the old replicas still run v1');

    await panel.getByRole('button', { name: 'promote' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'promote' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await page.locator('.status-line .badge', { hasText: 'succeeded' }).waitFor({ timeout: 120_000 });
    await inspect('16-canary-promoted');

    // Promoted: every app replica runs v3 under its own name, and no canary is left.
    const after = (await appContainers()).map((c) => `${c.name}:${c.state}`).sort();
    assert.deepEqual(after, ['web_app_1:running', 'web_app_2:running']);
    for (const name of ['web_app_1', 'web_app_2']) assert.equal(await releaseOf(name), 'RELEASE=v3', name);
    await signOut();
  });
});
