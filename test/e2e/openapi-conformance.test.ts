import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgent, startApi, startOrchestrator, stopAll, waitUntilPolling } from '../harness/graphium.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { type ManagedProcess, REPO_ROOT } from '../harness/processes.js';

// The OpenAPI document must describe the server exactly: schemathesis (PyPI, pinned in .ci/run)
// generates requests from /openapi.json, valid and invalid, sends them to a real `npm run api` on a
// real database, with an orchestrator and an agent so operations really run, and checks every answer
// against the document with every check it has (status codes, content types, headers, response
// schemas, the event stream's events, 405 for undocumented methods, auth enforcement, and a stateful
// phase that follows links between operations). Any failure fails the test.
//
// The run is bounded: at most MAX_EXAMPLES cases per operation and phase, which still exercises every
// operation in every phase (asserted below). The seed is fixed so that CI sends the same requests
// every time: a red run can be replayed exactly with the command it prints, and a green one does not
// turn red by luck. Change the seed on purpose to explore (`SCHEMATHESIS_SEED`), and fix what it finds.

const SCHEMATHESIS = process.env.SCHEMATHESIS_CLI ?? 'schemathesis';
const SCHEMATHESIS_VERSION = '4.32.5';
const MAX_EXAMPLES = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '100';
const SEED = process.env.SCHEMATHESIS_SEED ?? '20261201';
const HOST_ID = 'conformance';

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', (error) =>
      reject(
        new Error(
          `cannot run ${command} (${error.message}): install it with ` +
            `\`python3 -m pip install schemathesis==${SCHEMATHESIS_VERSION}\`, or set SCHEMATHESIS_CLI`,
        ),
      ),
    );
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('the OpenAPI document matches the server (schemathesis, every check)', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let baseUrl: string;
  const processes: ManagedProcess[] = [];
  const adminToken = `conformance-${randomBytes(16).toString('hex')}`;

  before(async () => {
    infra = await useInfra();
    database = await createTestDatabase(infra.pgAdminUrl);
    // schemathesis sends hundreds of unauthenticated probes and changes a minute on purpose: the rate
    // limits would answer them 429 (documented, and tested in api/lib/rate-limit.test.ts) instead of
    // letting the checks see the answers they are about.
    const api = await startApi(infra, database.url, adminToken, 'api', {
      GRAPHIUM_RATE_LIMIT_AUTH_FAILURES: '0',
      GRAPHIUM_RATE_LIMIT_MUTATIONS: '0',
    });
    processes.push(api.process);
    baseUrl = api.baseUrl;
    const registered = await fetch(`${baseUrl}/api/v1/hosts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: HOST_ID }),
    });
    assert.equal(registered.status, 201, await registered.text());
    processes.push(startOrchestrator(infra, database.url));
    processes.push(startAgent(infra, HOST_ID, infra.dockerHosts[0]!.dockerHost));
    await waitUntilPolling(processes.slice(1));
  });

  after(async () => {
    await stopAll(processes);
    await database?.drop();
  });

  it(`finds 0 failures with --checks all in every phase (schemathesis ${SCHEMATHESIS_VERSION})`, async () => {
    const version = await run(SCHEMATHESIS, ['--version']);
    assert.match(version.output, new RegExp(`version ${SCHEMATHESIS_VERSION.replaceAll('.', '\\.')}\\b`));

    const document = (await (await fetch(`${baseUrl}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    // schemathesis leaves out the one operation that serves the document it reads.
    const operations =
      Object.values(document.paths).reduce((n, methods) => n + Object.keys(methods).length, 0) - 1;

    const args = [
      '--config-file',
      join('test', 'conformance', 'schemathesis.toml'),
      'run',
      `${baseUrl}/api/v1/openapi.json`,
      '--checks',
      'all',
      '--header',
      `Authorization: Bearer ${adminToken}`,
      '--max-examples',
      MAX_EXAMPLES,
      '--seed',
      SEED,
      '--workers',
      '1',
      '--request-timeout',
      '30',
      '--generation-database',
      'none',
      '--no-color',
    ];
    const started = Date.now();
    const { code, output } = await run(SCHEMATHESIS, args);
    const seconds = Math.round((Date.now() - started) / 1000);
    // Every failure with the curl command that reproduces it, and the summary, go to the test log.
    const report = output.search(/=+ (FAILURES|WARNINGS|SUMMARY) =+/);
    console.log(`${output.slice(Math.max(0, report))}\nschemathesis took ${seconds} s (seed ${SEED})`);

    const tested = /Selected: (\d+)\/(\d+)\s+Tested: (\d+)/.exec(output);
    assert.ok(tested, 'schemathesis printed its summary');
    assert.deepEqual(
      tested.slice(1).map(Number),
      [operations, operations, operations],
      'every documented operation was selected and tested',
    );
    for (const phase of ['Examples', 'Coverage', 'Fuzzing', 'Stateful']) {
      assert.match(output, new RegExp(`✅ ${phase}`), `the ${phase} phase ran and passed`);
    }
    assert.doesNotMatch(output, /\d+ failures?[, ]/, 'no failures');
    assert.equal(code, 0, `schemathesis exited with ${code}`);
  });
});
