import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { waitFor } from './ports.js';
import { isAlive } from './process-tree.js';
import { REPO_ROOT } from './processes.js';

// node:test (Node 20) ends a file that outlives --test-timeout with SIGTERM and runs none of its
// `after` hooks: the processes it started must still go (test/harness/processes.ts).

it('a test file ended by its time bound stops every process it started, and runs its teardown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graphium-outlives-'));
  const out = join(dir, 'pids.json');
  const env: NodeJS.ProcessEnv = { ...process.env, FIXTURE_OUT: out, GRAPHIUM_TEST_LOG_DIR: dir };
  // Inside a test file: without this, the inner `node --test` would refuse to run files.
  delete env.NODE_TEST_CONTEXT;
  try {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-timeout=15000',
        '--test-reporter=tap',
        'test/fixtures/processes/outlives-its-bound.ts',
      ],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.notEqual(code, 0, output);
    assert.match(output, /timed out after 15000ms/, output);
    const pids = JSON.parse(readFileSync(out, 'utf8')) as number[];
    assert.equal(pids.length, 3);
    await waitFor(
      `the fixture's processes ${pids.join(', ')} to be gone`,
      async () => pids.every((pid) => !isAlive(pid)),
      { timeoutMs: 30_000 },
    ).catch((error) => {
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      throw error;
    });
    assert.ok(existsSync(`${out}.teardown`), 'the registered teardown ran');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
