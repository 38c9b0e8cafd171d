import { spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { redactUrl } from '../lib/redact-url.js';
import { bundleWorkflows, INFRA_ENV, startInfra, type TestInfra } from './harness/infra.js';
import { readProcStat } from './harness/process-tree.js';
import { LOG_DIR_ENV, REPO_ROOT } from './harness/processes.js';

// `npm test`: starts the real infrastructure (Temporal dev server, three dockerd hosts, a PostgreSQL
// server check, the workflow bundle) once per lane, runs every *.test.ts file against it with
// node:test, tears it all down, and prints one summary line. Self-contained files run first, two
// at a time; end-to-end files (sharing hosts vm1..vm3) one at a time per lane, the lanes side by
// side, each with its own Temporal server and daemons (so the same host ids and task queues do not
// meet); the fault suite (test/faults/) last, two files at a time: each of its files brings its own
// Temporal server (and whatever else it breaks), so they cannot disturb each other. `npm test -- <path>...` runs a subset;
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
// Node 20's --test-timeout bounds a whole file, not each test: a backstop against a hang, far above
// the slowest file on a slow machine (orchestrator-kill, ~10 min there). Long tests bound their own
// waits by progress (a history that stands still), so a hang fails within minutes with a reason.
const FILE_TIMEOUT_MS = 30 * 60_000;
/** How many copies of the infrastructure the end-to-end files are spread over. */
const LANES_ENV = 'GRAPHIUM_TEST_LANES';
/** `1`: the fault files run beside the end-to-end lanes rather than after them. */
const OVERLAP_ENV = 'GRAPHIUM_TEST_OVERLAP';
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
  const e2eFiles = files.filter(isE2e);
  const unitFiles = files.filter((f) => !isE2e(f) && !isFault(f));
  const faultFiles = files.filter(isFault);
  // The fault files alongside the end-to-end lanes, on a copy of the infrastructure of their own.
  const overlap = process.env[OVERLAP_ENV] === '1' && e2eFiles.length > 0 && faultFiles.length > 0;
  const laneCount = Math.max(1, Math.min(configuredLanes(overlap ? 1 : 0), e2eFiles.length));
  const workDir = join('/tmp', `graphium-test-${process.pid}`);
  // Per run, so two runs side by side (two terminals, two sessions) never clobber each other.
  const tmp = join(REPO_ROOT, '.tmp', 'runs', String(process.pid));
  mkdirSync(tmp, { recursive: true });
  console.log(
    `graphium tests: starting Temporal, dockerd hosts and the workflow bundle in ${workDir}` +
      (laneCount > 1 ? ` for ${laneCount} end-to-end lanes` : '') +
      (overlap ? ' and one for the fault files beside them' : ''),
  );
  const laneDirs = Array.from({ length: laneCount }, (_, i) => (i === 0 ? tmp : join(tmp, `lane${i + 1}`)));
  const { lanes: started, stop } = await startLanes(
    [...laneDirs, ...(overlap ? [join(tmp, 'faults')] : [])],
    workDir,
  );
  const lanes = started.slice(0, laneCount);
  const faultLane = overlap ? started[laneCount]! : started[0]!;
  const teardown = async () => {
    await stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  const onSignal = () => void teardown().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const first = lanes[0]!;
  const { infra } = first;
  console.log(
    `graphium tests: Temporal ${infra.temporalAddress}, ${infra.dockerHosts.length} Docker hosts ` +
      `(${infra.sharedDaemon ? 'one shared daemon' : 'separate dockerd daemons'}), PostgreSQL ${redactUrl(infra.pgAdminUrl)}` +
      (started.length > 1 ? `; ${started.length - 1} more copies of the same` : ''),
  );
  const unit = { name: 'unit', files: unitFiles, run: () => runPhase('unit', unitFiles, 2, first) };
  const e2e = { name: 'end-to-end', files: e2eFiles, run: () => runLanes(e2eFiles, lanes) };
  const faults = {
    name: 'faults',
    files: faultFiles,
    run: () => runPhase('faults', faultFiles, FAULT_CONCURRENCY, faultLane, overlap),
  };
  // Self-contained files first (each its own database; stack names that differ between files, as
  // they share a Temporal namespace), two at once; then the end-to-end lanes (each file alone on its
  // lane's hosts vm1..vm3); the fault files after them, or beside them with GRAPHIUM_TEST_OVERLAP=1.
  // The phases of a step run side by side.
  const steps = (overlap ? [[unit], [e2e, faults]] : [[unit], [e2e], [faults]])
    .map((step) => step.filter((phase) => phase.files.length > 0))
    .filter((step) => step.length > 0);
  let code = 0;
  const summaries: Summary[] = [];
  let complete = true;
  try {
    for (const step of steps) {
      const cpuBefore = childrenCpuSeconds();
      const stepStarted = Date.now();
      await Promise.all(
        step.map(async (phase) => {
          const phaseStarted = Date.now();
          const result = await phase.run();
          code ||= result.code;
          if (result.summaries.length === 0) complete = false;
          summaries.push(...result.summaries);
          console.log(
            `graphium tests: ${phase.name} phase took ${Math.round((Date.now() - phaseStarted) / 1000)} s`,
          );
        }),
      );
      // CPU time of the processes the step started and that have ended: what its tests cost, even
      // on a machine others share.
      console.log(
        `graphium tests: ${step.map((p) => p.name).join(' + ')}: ${Math.round((Date.now() - stepStarted) / 1000)} s, ` +
          `${Math.round(childrenCpuSeconds() - cpuBefore)} CPU-s of its ended processes`,
      );
    }
  } finally {
    await teardown();
  }
  if (!complete) {
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
  // Hosts per lane: every end-to-end file sees vm1..vm3, whichever lane it ran in.
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
      started.some((lane) => lane.infra.sharedDaemon) && 'the Docker hosts were not separate dockerd daemons',
    ].filter(Boolean);
    if (problems.length > 0) {
      console.error(`graphium tests: CI refuses this run: ${problems.join('; ')}`);
      return code || 1;
    }
  }
  return code;
}

/** One copy of the infrastructure, and the folder its files' logs go to. */
interface Lane {
  number: number;
  infra: TestInfra;
  infraFile: string;
  /** The run's folder for lane 1 (logs/ as ever), `lane<n>/` in it for the others. */
  dir: string;
}

/**
 * Lane n's daemons' bridge address pool (lane 1: docker-hosts' own 10.213.0.0/16): the daemons of
 * all lanes share the machine's network namespace. Fault files' private daemons take 10.215, their
 * network namespaces 10.216.
 */
const LANE_ADDRESS_POOLS = [undefined, '10.217.0.0/16', '10.218.0.0/16', '10.219.0.0/16'];

/**
 * GRAPHIUM_TEST_LANES, else one lane per core (the end-to-end files mostly wait), with `reserved`
 * copies of the infrastructure for other uses, four copies at most.
 */
function configuredLanes(reserved: number): number {
  const wanted = Number(process.env[LANES_ENV] || availableParallelism());
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`${LANES_ENV} must be a whole number from 1`);
  return Math.min(wanted, LANE_ADDRESS_POOLS.length - reserved);
}

/**
 * Starts one copy of the infrastructure per folder in `dirs` (where its files' logs go) side by
 * side, with one workflow bundle for all of them.
 */
async function startLanes(
  dirs: string[],
  workDir: string,
): Promise<{ lanes: Lane[]; stop: () => Promise<void> }> {
  mkdirSync(workDir, { recursive: true });
  const bundle = bundleWorkflows(join(workDir, 'workflow-bundle.js'));
  // Every start settles before a failure is thrown, so each started lane's stop is known.
  const results = await Promise.allSettled(
    dirs.map((_, i) =>
      startInfra(join(workDir, `lane${i + 1}`), process.env, undefined, {
        addressPool: LANE_ADDRESS_POOLS[i],
        workflowBundle: bundle,
      }),
    ),
  );
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    await Promise.all(started.map((lane) => lane.stop()));
  };
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const lanes = started.map(({ infra }, i) => {
    const dir = dirs[i]!;
    mkdirSync(dir, { recursive: true });
    const infraFile = join(dir, 'infra.json');
    writeFileSync(infraFile, JSON.stringify(infra, null, 2));
    return { number: i + 1, infra, infraFile, dir };
  });
  return { lanes, stop };
}

/**
 * One `node --test` run over a phase's files, `concurrency` files at a time; with `buffered` (it runs
 * beside the lanes), its output is printed whole at its end, as a lane's files are.
 */
async function runPhase(
  name: string,
  files: string[],
  concurrency: number,
  lane: Lane,
  buffered = false,
): Promise<PhaseResult> {
  const summaryFile = join(lane.dir, `summary-${name}.json`);
  const outputFile = buffered ? join(lane.dir, 'output', `${name}.log`) : undefined;
  const { code, output } = await runFiles(files, concurrency, summaryFile, lane, outputFile);
  if (buffered) process.stdout.write(`\n== the ${name} phase\n${output}\n`);
  return { code, summaries: existsSync(summaryFile) ? [readSummary(summaryFile)] : [] };
}

/**
 * The end-to-end files over the lanes: each lane takes the next file from one queue, longest first
 * (by the last run's times, else test/e2e-durations.json; a file in neither goes first), so the
 * lanes end close together. Each file's output is printed whole when it ends (and written to
 * `<lane dir>/output/` as it runs), so lanes do not interleave their lines.
 */
async function runLanes(files: string[], lanes: Lane[]): Promise<PhaseResult> {
  const known = readDurations();
  const weight = (file: string) => known[file] ?? Number.POSITIVE_INFINITY;
  const queue = [...files].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
  const measured: Record<string, number> = {};
  const summaries: Summary[] = [];
  let code = 0;
  let missing = false;
  const buffered = lanes.length > 1;
  await Promise.all(
    lanes.map(async (lane) => {
      const laneStarted = Date.now();
      let count = 0;
      for (let file = queue.shift(); file; file = queue.shift()) {
        const started = Date.now();
        const name = file.replaceAll('/', '_');
        const summaryFile = join(lane.dir, 'summaries', `${name}.json`);
        const output = buffered ? join(lane.dir, 'output', `${name}.log`) : undefined;
        if (buffered) console.log(`graphium tests: lane ${lane.number} runs ${file}`);
        const result = await runFiles([file], 1, summaryFile, lane, output);
        const seconds = Math.round((Date.now() - started) / 1000);
        measured[file] = seconds;
        count += 1;
        if (buffered)
          process.stdout.write(`\n== ${file} (lane ${lane.number}, ${seconds} s)\n${result.output}\n`);
        code ||= result.code;
        if (existsSync(summaryFile)) summaries.push(readSummary(summaryFile));
        else missing = true;
      }
      if (buffered) {
        console.log(
          `graphium tests: lane ${lane.number} ran ${count} files in ${Math.round((Date.now() - laneStarted) / 1000)} s`,
        );
      }
    }),
  );
  writeDurations(measured);
  return { code, summaries: missing ? [] : summaries };
}

interface PhaseResult {
  code: number;
  /** Empty when a run wrote no summary. */
  summaries: Summary[];
}

/** Seconds per end-to-end file: the checked-in list, overridden by this machine's last run. */
const CHECKED_IN_DURATIONS = join(REPO_ROOT, 'test', 'e2e-durations.json');
const LAST_DURATIONS = join(REPO_ROOT, '.tmp', 'test-durations.json');

function readDurations(): Record<string, number> {
  const read = (file: string) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {});
  return { ...read(CHECKED_IN_DURATIONS), ...read(LAST_DURATIONS) };
}

function writeDurations(measured: Record<string, number>): void {
  const previous = existsSync(LAST_DURATIONS) ? JSON.parse(readFileSync(LAST_DURATIONS, 'utf8')) : {};
  const all = { ...previous, ...measured };
  const sorted = Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((file) => [file, all[file]]),
  );
  writeFileSync(LAST_DURATIONS, `${JSON.stringify(sorted, null, 2)}\n`);
}

function readSummary(file: string): Summary {
  return JSON.parse(readFileSync(file, 'utf8')) as Summary;
}

/**
 * CPU seconds (user + system) of this process's children that have ended and were waited for,
 * their own children included: what a phase's test processes cost, on a machine others share too.
 */
function childrenCpuSeconds(): number {
  const fields = readProcStat('/proc/self/stat')?.fields;
  if (!fields) return 0;
  // cutime and cstime, in clock ticks (100 a second on Linux).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/**
 * One `node --test` run over `files` with `lane`'s infrastructure; resolves with its exit code. With
 * `outputFile`, its output is kept (and written there as it comes) instead of printed.
 */
function runFiles(
  files: string[],
  concurrency: number,
  summaryFile: string,
  lane: Lane,
  outputFile?: string,
): Promise<{ code: number; output: string }> {
  mkdirSync(dirname(summaryFile), { recursive: true });
  if (outputFile) mkdirSync(dirname(outputFile), { recursive: true });
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        `--test-concurrency=${concurrency}`,
        // Node 20 bounds each FILE with this (not each test): a hang (a stream that never ends, a
        // process that never exits) fails its file, not the run.
        `--test-timeout=${FILE_TIMEOUT_MS}`,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=./test/summary-reporter.js',
        `--test-reporter-destination=${summaryFile}`,
        ...files,
      ],
      {
        cwd: REPO_ROOT,
        stdio: outputFile ? ['ignore', 'pipe', 'pipe'] : 'inherit',
        env: { ...process.env, [INFRA_ENV]: lane.infraFile, [LOG_DIR_ENV]: join(lane.dir, 'logs') },
      },
    );
    let output = '';
    if (outputFile) {
      const file = createWriteStream(outputFile);
      const keep = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        file.write(chunk);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      child.on('close', () => file.end());
    }
    child.on('close', (exitCode) => resolve({ code: exitCode ?? 1, output }));
  });
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`graphium tests: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
