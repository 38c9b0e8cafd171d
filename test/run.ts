import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { redactUrl } from '../lib/redact-url.js';
import { INFRA_ENV, startInfra } from './harness/infra.js';
import { LOG_DIR_ENV, REPO_ROOT } from './harness/processes.js';

// `npm test`: starts the real infrastructure once (Temporal dev server, three dockerd hosts, a
// PostgreSQL server check, the workflow bundle), runs every *.test.ts file against it with
// node:test, tears it all down, and prints one summary line. `npm test -- <path>...` runs a subset.

const SOURCE_DIRS = [
  'stack',
  'compose',
  'db',
  'workflows',
  'activities',
  'worker-agent',
  'api',
  'cli',
  'lib',
  'test',
];
const ci = process.env.CI === 'true' || process.env.CI === '1';
// Far above the slowest test here (about a minute), so only a hang reaches it.
const TEST_TIMEOUT_MS = 10 * 60_000;

function findTestFiles(): string[] {
  const files = SOURCE_DIRS.flatMap((dir) =>
    existsSync(join(REPO_ROOT, dir))
      ? readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
          .filter((file) => file.endsWith('.test.ts'))
          .map((file) => join(dir, file))
      : [],
  );
  // Fast, self-contained tests first; end-to-end ones after, so a basic failure shows early.
  const isE2e = (file: string) => file.startsWith('test/e2e/');
  return [...files.filter((f) => !isE2e(f)).sort(), ...files.filter(isE2e).sort()];
}

async function main(): Promise<number> {
  const requested = process.argv.slice(2).map((arg) => relative(REPO_ROOT, join(process.cwd(), arg)));
  const files = findTestFiles().filter(
    (file) => requested.length === 0 || requested.some((r) => file === r || file.startsWith(`${r}/`)),
  );
  if (files.length === 0) {
    console.error(`no test files match ${requested.join(' ')}`);
    return 1;
  }
  const workDir = join('/tmp', `graphium-test-${process.pid}`);
  // Per run, so two runs side by side (two terminals, two sessions) never clobber each other.
  const tmp = join(REPO_ROOT, '.tmp', 'runs', String(process.pid));
  mkdirSync(tmp, { recursive: true });
  console.log(`graphium tests: starting Temporal, dockerd hosts and the workflow bundle in ${workDir}`);
  const { infra, stop } = await startInfra(workDir);
  const teardown = async () => {
    await stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  const onSignal = () => void teardown().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const infraFile = join(tmp, 'infra.json');
  writeFileSync(infraFile, JSON.stringify(infra, null, 2));
  console.log(
    `graphium tests: Temporal ${infra.temporalAddress}, ${infra.dockerHosts.length} Docker hosts ` +
      `(${infra.sharedDaemon ? 'one shared daemon' : 'separate dockerd daemons'}), PostgreSQL ${redactUrl(infra.pgAdminUrl)}`,
  );
  const summaryFile = join(tmp, 'summary.json');
  let code: number;
  try {
    code = await new Promise<number>((resolve) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--test',
          '--test-concurrency=1',
          // A hang (a stream that never ends, a process that never exits) fails its test, not the run.
          `--test-timeout=${TEST_TIMEOUT_MS}`,
          '--test-reporter=spec',
          '--test-reporter-destination=stdout',
          '--test-reporter=./test/summary-reporter.js',
          `--test-reporter-destination=${summaryFile}`,
          ...files,
        ],
        {
          cwd: REPO_ROOT,
          stdio: 'inherit',
          env: { ...process.env, [INFRA_ENV]: infraFile, [LOG_DIR_ENV]: join(tmp, 'logs') },
        },
      );
      child.on('exit', (exitCode) => resolve(exitCode ?? 1));
    });
  } finally {
    await teardown();
  }
  const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : undefined;
  if (!summary) {
    console.error('graphium tests: the runner wrote no summary');
    return code || 1;
  }
  console.log(
    `graphium test summary: ${summary.tests} tests, ${summary.pass} passed, ${summary.fail} failed, ` +
      `${summary.skipped} skipped, ${summary.todo} todo; end-to-end: ${summary.e2ePassed} passed in ` +
      `${summary.e2eFiles.length} files on ${infra.dockerHosts.length} ${infra.sharedDaemon ? 'logical hosts of one daemon' : 'dockerd hosts'}`,
  );
  console.log(`graphium tests: process logs in ${relative(REPO_ROOT, join(tmp, 'logs'))}`);
  if (ci && requested.length === 0) {
    const silentE2e = files
      .filter((file) => file.startsWith('test/e2e/') && !summary.e2eFiles.includes(file))
      .join(', ');
    const problems = [
      summary.skipped + summary.todo > 0 && 'tests were skipped',
      summary.e2ePassed === 0 && 'no end-to-end test ran',
      silentE2e && `no test passed in ${silentE2e}`,
      infra.sharedDaemon && 'the Docker hosts were not separate dockerd daemons',
    ].filter(Boolean);
    if (problems.length > 0) {
      console.error(`graphium tests: CI refuses this run: ${problems.join('; ')}`);
      return code || 1;
    }
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`graphium tests: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
