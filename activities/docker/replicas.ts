import { ApplicationFailure, activityInfo, heartbeat, sleep } from '@temporalio/activity';
import type Docker from 'dockerode';
import {
  LABEL_CONFIG_HASH,
  LABEL_DEPLOYMENT,
  LABEL_REPLICA,
  LABEL_SERVICE,
} from '../../contracts/vocabulary.js';
import { besideName, serviceImage } from '../../stack/names.js';
import { CONTAINER_UNHEALTHY } from '../../workflows/errors.js';
import { COMPLETION_TIMEOUT_MS, readinessTimeoutMs } from '../../workflows/timeouts.js';
import { daemonState } from './client.js';
import { buildCreateOptions } from './container-spec.js';
import { createContainer, startContainer, waitReady } from './containers.js';
import { resolveHostFiles } from './file-mounts.js';
import type { HostDocker } from './host-docker.js';
import { retiredName } from './retired-names.js';
import type {
  CreateContainerResult,
  InventoryContainer,
  InventoryInput,
  ReplicaRequest,
  ReplicaResult,
  StackInventory,
} from './types.js';

// One replica in one activity (create, start, wait until ready, watch), so a deploy costs one round
// trip per container; the step it is on travels in its heartbeat details for the Temporal UI.

const BEAT_MS = 5_000;

/** Heartbeats `{step, container}` every few seconds while a step that reports nothing itself runs. */
class StepBeat {
  private step = 'create';
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly container: string) {
    this.beat();
    this.timer = setInterval(() => this.beat(), BEAT_MS);
  }

  /** The readiness wait and the watch heartbeat on every poll, with what they see. */
  enter(step: string): void {
    this.step = step;
    this.beat();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    if (this.step === 'ready' || this.step === 'monitor') return;
    heartbeat({ step: this.step, container: this.container });
  }
}

export async function deployReplica(
  host: HostDocker,
  request: ReplicaRequest,
  agent: string,
): Promise<ReplicaResult> {
  const beat = new StepBeat(request.name);
  try {
    const swapped = request.order === 'start-first' ? await startBeside(host, request, beat) : undefined;
    if (swapped) return { ...swapped, agent };
    beat.enter('create');
    const created = await createContainer(host, request);
    if (created.action === 'unchanged' && created.running) {
      return result(created.containerId, 'unchanged', 'unchanged', agent);
    }
    beat.enter('start');
    await startContainer(host, request.name);
    const ready = await readyAndWatched(host, request, request.name, created, beat);
    return result(ready.containerId, created.action, ready.status, agent);
  } finally {
    beat.stop();
  }
}

function result(
  containerId: string,
  action: CreateContainerResult['action'],
  status: ReplicaResult['status'],
  agent: string,
): ReplicaResult {
  return { containerId, action, status, attempt: activityInfo().attempt, agent };
}

async function readyAndWatched(
  host: HostDocker,
  request: ReplicaRequest,
  name: string,
  created: CreateContainerResult,
  beat: StepBeat,
) {
  beat.enter('ready');
  // The agent knows the healthcheck Docker runs (the image's own included): it bounds the wait.
  const timeoutMs = request.untilExit ? COMPLETION_TIMEOUT_MS : readinessTimeoutMs(created.healthcheck);
  const ready = await waitReady(host, {
    name,
    settleMs: request.settleMs,
    timeoutMs,
    ...(request.untilExit ? { untilExit: true } : {}),
  });
  if (request.monitorMs && !request.untilExit) {
    beat.enter('monitor');
    await watchReplica(host, name, request.monitorMs);
  }
  return ready;
}

/**
 * start-first: the new container comes up beside the old one as `<name>.next-…` (same networks and
 * aliases), and only once it is ready and watched is the old one retired and the name handed over
 * (Docker renames a running container). Returns undefined when there is nothing to overlap (no old
 * container, or an unchanged one): then the replica is deployed as usual.
 */
async function startBeside(
  host: HostDocker,
  request: ReplicaRequest,
  beat: StepBeat,
): Promise<Omit<ReplicaResult, 'agent'> | undefined> {
  const nextName = besideName(request.name, 'next', request.deploymentId);
  const existing = await host.inspect(request.name);
  if (!existing) {
    // A previous attempt retired the old container and died before the rename: finish the swap.
    const next = await host.inspect(nextName);
    if (next?.Config.Labels?.[LABEL_DEPLOYMENT] === request.deploymentId) {
      await host.rename(next.Id, request.name);
    }
    return undefined;
  }
  const labels = existing.Config.Labels ?? {};
  if (labels[LABEL_DEPLOYMENT] === request.deploymentId) return undefined;
  const image = await host.inspectImage(serviceImage(request.stack, request.service));
  if (image) {
    const hostFiles = await resolveHostFiles(host.files, request);
    const wanted = buildCreateOptions(request, host.hostId, image.Id, hostFiles).Labels?.[LABEL_CONFIG_HASH];
    if (labels[LABEL_CONFIG_HASH] === wanted) return undefined;
  }
  beat.enter('create');
  const created = await createContainer(host, { ...request, name: nextName });
  beat.enter('start');
  await startContainer(host, nextName);
  const ready = await readyAndWatched(host, request, nextName, created, beat);
  beat.enter('swap');
  // Rename before stop, as a stop-first replacement does: a crash in between leaves a name that says
  // what to restore. Then the new container takes the replica's name, still running.
  await host.rename(existing.Id, retiredName(request.name, request.deploymentId, existing.State.Running));
  await host.stop(existing.Id);
  await host.rename(ready.containerId, request.name);
  return {
    containerId: ready.containerId,
    action: 'replaced',
    status: ready.status,
    attempt: activityInfo().attempt,
  };
}

/**
 * Watches a ready container for `ms`: an exit, an unhealthy verdict or a restart (a crash that its
 * restart policy hid) fails the replica, as Swarm's `monitor` does.
 */
export async function watchReplica(host: HostDocker, name: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  let first: Docker.ContainerInspectInfo | undefined;
  for (;;) {
    const container = await host.inspect(name);
    if (!container) throw unhealthy(name, host.hostId, 'disappeared while it was watched');
    first ??= container;
    const { State: state } = container;
    heartbeat({ step: 'monitor', container: name, status: state.Status, health: state.Health?.Status });
    if (!state.Running || state.Restarting) {
      if (await daemonGoingAway(host)) {
        // The daemon stopped it on its way down (a restart): not the replica's fault. A retryable
        // failure: the step waits for the daemon, and its retry starts the container again.
        throw ApplicationFailure.create({
          type: 'DaemonAway',
          message: `the Docker daemon of host ${host.hostId} went away while ${name} was watched`,
        });
      }
      throw unhealthy(name, host.hostId, `stopped while it was watched (exit code ${state.ExitCode})`);
    }
    if (state.Health?.Status === 'unhealthy') {
      const last = state.Health.Log?.at(-1)?.Output?.trim();
      throw unhealthy(name, host.hostId, `turned unhealthy while it was watched${last ? `: ${last}` : ''}`);
    }
    if (state.StartedAt !== first.State.StartedAt || container.RestartCount > first.RestartCount) {
      throw unhealthy(name, host.hostId, 'restarted while it was watched');
    }
    if (Date.now() >= until) return;
    await sleep(Math.min(500, Math.max(0, until - Date.now())));
  }
}

/**
 * Whether the daemon stops answering within a few seconds of a watched container stopping: a daemon
 * shutting down stops its containers first, then closes its socket.
 */
async function daemonGoingAway(host: HostDocker): Promise<boolean> {
  for (let check = 0; check < 6; check++) {
    if ((await daemonState(host.docker)) !== 'answers') return true;
    await sleep(500);
  }
  return false;
}

function unhealthy(name: string, hostId: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: CONTAINER_UNHEALTHY,
    nonRetryable: true,
    message: `container ${name} on host ${hostId} ${reason}`,
  });
}

/**
 * What this host holds of the stack (by label, whatever any record says), and the config hash each
 * service's containers would have if created now: the workflow tells unchanged replicas from those
 * it must replace before it replaces anything. Images must be on the host (pulled or built) first.
 */
export async function inventoryStack(host: HostDocker, input: InventoryInput): Promise<StackInventory> {
  const hashes: Record<string, string> = {};
  for (const template of input.services) {
    const image = await host.inspectImage(serviceImage(input.stack, template.service));
    if (!image) continue;
    const request = { ...template, name: '', replica: 0, deploymentId: '' };
    const hostFiles = await resolveHostFiles(host.files, request);
    const hash = buildCreateOptions(request, host.hostId, image.Id, hostFiles).Labels?.[LABEL_CONFIG_HASH];
    if (hash) hashes[template.service.name] = hash;
  }
  const containers = (await host.stackContainers(input.stack)).map(
    (info): InventoryContainer => ({
      name: (info.Names[0] ?? info.Id).replace(/^\//, ''),
      containerId: info.Id,
      service: info.Labels[LABEL_SERVICE] ?? '',
      replica: Number(info.Labels[LABEL_REPLICA] ?? 0),
      deploymentId: info.Labels[LABEL_DEPLOYMENT] ?? '',
      configHash: info.Labels[LABEL_CONFIG_HASH] ?? '',
      state: info.State,
      ...healthOf(info.Status),
    }),
  );
  return { hashes, containers };
}

function healthOf(status: string): Pick<InventoryContainer, 'health'> {
  const match = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  if (!match) return {};
  return { health: match[1] === 'health: starting' ? 'starting' : (match[1] as 'healthy' | 'unhealthy') };
}
