import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { redactUrl } from '../lib/redact-url.js';
import { INFRA_ENV, startInfra } from './harness/infra.js';
import { LOG_DIR_ENV, REPO_ROOT } from './harness/processes.js';

// `npm test`: starts the real infrastructure once (Temporal dev server, three dockerd hosts, a
// PostgreSQL server check, the workflow bundle), runs every *.test.ts file against it with
// node:test, tears it all down, and prints one summary line. Self-contained files run first, two
// at a time; end-to-end files (sharing hosts vm1..vm3) one at a time; the fault suite (test/faults/)
// last, two files at a time: each of its files brings its own Temporal server (and whatever else it
// breaks), so they cannot disturb each other. `npm test -- <path>...` runs a subset;
// `npm run test:faults` is `npm test -- test/faults`.

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
// Far above the slowest test here (about a minute; a fault test holds a partition for two), so only
// a hang reaches it.
const TEST_TIMEOUT_MS = 10 * 60_000;
const FAULTS_DIR = 'test/faults/';
/** Fault files mostly wait (a partition, an outage): two at once halve the suite on two cores. */
const FAULT_CONCURRENCY = 2;

interface Summary {
  tests: number;
  pass: number;
  fail: number;
  skipped: number;
  todo: number;
  e2ePassed: number;
  e2eFiles: string[];
  faultPassed: number;
  faultFiles: string[];
}

const isE2e = (file: string) => file.startsWith('test/e2e/');
const isFault = (file: string) => file.startsWith(FAULTS_DIR);

function findTestFiles(): string[] {
  const files = SOURCE_DIRS.flatMap((dir) =>
    existsSync(join(REPO_ROOT, dir))
      ? readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
          .filter((file) => file.endsWith('.test.ts'))
          .map((file) => join(dir, file))
      : [],
  );
  // The phases in main() put fast, self-contained files first, so a basic failure shows early.
  return files.sort();
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
  const phases = [
    // Self-contained files (each its own database; stack names that differ between files, as they
    // share a Temporal namespace): two at once. End-to-end files share the hosts vm1..vm3: one at a time.
    { name: 'unit', files: files.filter((f) => !isE2e(f) && !isFault(f)), concurrency: 2 },
    { name: 'end-to-end', files: files.filter(isE2e), concurrency: 1 },
    { name: 'faults', files: files.filter(isFault), concurrency: FAULT_CONCURRENCY },
  ].filter((phase) => phase.files.length > 0);
  let code = 0;
  const summaries: Summary[] = [];
  try {
    for (const phase of phases) {
      const started = Date.now();
      const summaryFile = join(tmp, `summary-${phase.name}.json`);
      const phaseCode = await runFiles(phase.files, phase.concurrency, summaryFile, infraFile, tmp);
      code ||= phaseCode;
      if (existsSync(summaryFile)) summaries.push(JSON.parse(readFileSync(summaryFile, 'utf8')));
      console.log(`graphium tests: ${phase.name} phase took ${Math.round((Date.now() - started) / 1000)} s`);
    }
  } finally {
    await teardown();
  }
  if (summaries.length < phases.length) {
    console.error('graphium tests: the runner wrote no summary');
    return code || 1;
  }
  const summary = summaries.reduce((a, b) => ({
    tests: a.tests + b.tests,
    pass: a.pass + b.pass,
    fail: a.fail + b.fail,
    skipped: a.skipped + b.skipped,
    todo: a.todo + b.todo,
    e2ePassed: a.e2ePassed + b.e2ePassed,
    e2eFiles: [...a.e2eFiles, ...b.e2eFiles],
    faultPassed: a.faultPassed + b.faultPassed,
    faultFiles: [...a.faultFiles, ...b.faultFiles],
  }));
  console.log(
    `graphium test summary: ${summary.tests} tests, ${summary.pass} passed, ${summary.fail} failed, ` +
      `${summary.skipped} skipped, ${summary.todo} todo; end-to-end: ${summary.e2ePassed} passed in ` +
      `${summary.e2eFiles.length} files on ${infra.dockerHosts.length} ${infra.sharedDaemon ? 'logical hosts of one daemon' : 'dockerd hosts'}; ` +
      `faults: ${summary.faultPassed} passed in ${summary.faultFiles.length} files`,
  );
  console.log(`graphium tests: process logs in ${relative(REPO_ROOT, join(tmp, 'logs'))}`);
  if (ci && requested.length === 0) {
    const silentE2e = files
      .filter(
        (file) =>
          (file.startsWith('test/e2e/') && !summary.e2eFiles.includes(file)) ||
          (file.startsWith(FAULTS_DIR) && !summary.faultFiles.includes(file)),
      )
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

/** One `node --test` run over `files`; resolves with its exit code. */
function runFiles(
  files: string[],
  concurrency: number,
  summaryFile: string,
  infraFile: string,
  tmp: string,
): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        `--test-concurrency=${concurrency}`,
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
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`graphium tests: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
