import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { startApi } from '../harness/graphium.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import type { ManagedProcess } from '../harness/processes.js';

// The docs page in a real browser against a real `npm run api`: Swagger UI must render the
// operations from our own origin alone (the machines it runs on often have no internet).

describe('docs page (real API process, real Chromium)', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let api: { process: ManagedProcess; baseUrl: string };
  let browser: Browser;

  before(async () => {
    infra = await useInfra();
    database = await createTestDatabase(infra.pgAdminUrl);
    api = await startApi(infra, database.url, randomBytes(24).toString('hex'));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    await api?.process.stop(15_000);
    await database?.drop();
  });

  it('renders every operation with Swagger UI, loading nothing from another origin', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const failures: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('requestfailed', (request) => failures.push(request.url()));
    page.on('pageerror', (error) => failures.push(error.message));

    await page.goto(`${api.baseUrl}/docs`);
    assert.equal(new URL(page.url()).pathname, '/api/v1/docs', 'the short path redirects');
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    const operations = await page
      .locator('.opblock-summary')
      .evaluateAll((nodes) =>
        nodes.map(
          (node) =>
            `${node.querySelector('.opblock-summary-method')?.textContent} ${node.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`,
        ),
      );
    for (const operation of ['POST /api/v1/stacks', 'GET /api/v1/hosts/{id}', 'POST /api/v1/tokens']) {
      assert.ok(operations.includes(operation), `${operation} is rendered among ${operations.join(', ')}`);
    }
    const text = (await page.locator('#swagger-ui').textContent()) ?? '';
    assert.match(text, /Authorize/, 'the bearer scheme is offered');

    assert.deepEqual(failures, []);
    const origins = new Set(requested.map((url) => new URL(url).origin));
    assert.deepEqual([...origins], [api.baseUrl], `requests: ${requested.join(', ')}`);
    await page.close();
  });
});
