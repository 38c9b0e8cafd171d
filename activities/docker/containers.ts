import { ApplicationFailure, activityInfo, heartbeat, sleep } from '@temporalio/activity';
import type Docker from 'dockerode';
import { LABEL_CONFIG_HASH, LABEL_DEPLOYMENT, LABEL_HOST, LABEL_STACK } from '../../contracts/vocabulary.js';
import { serviceImage } from '../../stack/names.js';
import { CONTAINER_UNHEALTHY, INVALID_CONTAINER_SPEC } from '../../workflows/errors.js';
import { refuseBeyondStack } from './confinement.js';
import { describeDifference } from './container-drift.js';
import { buildCreateOptions, effectiveHealthcheck, endpoint } from './container-spec.js';
import { bounded, withSignal } from './deadline.js';
import { messageOf, specFailure } from './errors.js';
import { resolveHostFiles } from './file-mounts.js';
import type { HostDocker } from './host-docker.js';
import { retiredName } from './retired-names.js';
import type {
  ContainerRequest,
  CreateContainerResult,
  ReadyResult,
  RetiredContainer,
  WaitReadyInput,
} from './types.js';

/**
 * Creates one replica, idempotently. A container of the same name and configuration is left
 * alone (`unchanged`); one that this same deployment already created (a retried attempt) is
 * reused; an older one with another configuration is renamed out of the way (`retired`) so a
 * rollback can bring it back. The new container is created but not started.
 */
export async function createContainer(
  host: HostDocker,
  request: ContainerRequest,
): Promise<CreateContainerResult> {
  const { attempt } = activityInfo();
  refuseBeyondStack(request.stack, `container ${request.name}`, host.hostId, {
    kind: 'container',
    name: request.name,
    ...(request.networkMode ? { networkMode: request.networkMode } : {}),
    ...(request.service.hostAccess ? { hostAccess: request.service.hostAccess } : {}),
  });
  const reference = serviceImage(request.stack, request.service);
  const image = await host.inspectImage(reference);
  if (!image) throw new Error(`image ${reference} is not on host ${host.hostId}`);
  const hostFiles = await resolveHostFiles(host.files, request);
  const options = withoutAliases(request, buildCreateOptions(request, host.hostId, image.Id, hostFiles));
  const healthcheck = effectiveHealthcheck(image, request.service.healthcheck);
  const existing = await host.inspect(request.name);
  let retired: RetiredContainer | undefined;
  const result = (containerId: string, action: CreateContainerResult['action'], running: boolean) => ({
    containerId,
    action,
    running,
    retired,
    healthcheck,
    attempt,
  });
  if (existing) {
    assertOwned(existing, request, host.hostId);
    const labels = existing.Config.Labels ?? {};
    if (labels[LABEL_DEPLOYMENT] === request.deploymentId) {
      // A retried attempt: finish what the first one may have left half done.
      retired = await findRetired(host, request);
      await connectNetworks(host, existing.Id, request);
      return result(existing.Id, retired ? 'replaced' : 'created', existing.State.Running);
    }
    // The label alone could lie (a container recreated by hand with the labels copied): unchanged
    // means the daemon holds the definition too.
    if (
      labels[LABEL_CONFIG_HASH] === options.Labels?.[LABEL_CONFIG_HASH] &&
      !describeDifference(existing, options, image)
    ) {
      return result(existing.Id, 'unchanged', existing.State.Running);
    }
    // Rename first, then stop: if we crash in between, the retry still finds it by its retired name.
    retired = {
      name: request.name,
      retiredName: retiredName(request.name, request.deploymentId, existing.State.Running),
      containerId: existing.Id,
      wasRunning: existing.State.Running,
    };
    await host.rename(existing.Id, retired.retiredName);
  } else {
    // The name is free: a previous attempt may have retired the old container and died before creating.
    retired = await findRetired(host, request);
  }
  if (retired) await host.stop(retired.containerId);
  return result(await create(host, options, request), retired ? 'replaced' : 'created', false);
}

async function create(host: HostDocker, options: Docker.ContainerCreateOptions, request: ContainerRequest) {
  let id: string;
  try {
    id = await host.create(options);
  } catch (error) {
    throw specFailure(`container ${request.name} on host ${host.hostId}`, error);
  }
  host.log.info(
    { container: request.name, containerId: id, deployment: request.deploymentId },
    'container created',
  );
  await connectNetworks(host, id, request);
  return id;
}

/**
 * A container that must not answer to the service's names yet (the green side of a blue-green
 * switch) is created without its network aliases; its config hash stays the one with them, so once
 * the aliases have moved to it, it is exactly the container a deploy would have made.
 */
function withoutAliases(request: ContainerRequest, options: Docker.ContainerCreateOptions) {
  if (!request.withoutAliases || !options.NetworkingConfig?.EndpointsConfig) return options;
  const endpoints = Object.fromEntries(
    Object.entries(options.NetworkingConfig.EndpointsConfig).map(([network, settings]) => [
      network,
      { ...settings, Aliases: [] },
    ]),
  );
  return { ...options, NetworkingConfig: { EndpointsConfig: endpoints } };
}

/** Docker (API 1.41) attaches one network at create; the others join here, idempotently. */
async function connectNetworks(host: HostDocker, containerId: string, request: ContainerRequest) {
  if (request.networkMode) return;
  for (const network of request.networks.slice(1)) {
    const settings = endpoint(request.withoutAliases ? { ...network, aliases: [] } : network);
    try {
      await bounded(`connecting ${request.name} to network ${network.dockerName}`, (abortSignal) =>
        host.docker
          .getNetwork(network.dockerName)
          .connect(withSignal(abortSignal, { Container: containerId, EndpointConfig: settings })),
      );
    } catch (error) {
      if (!/already exists/i.test(messageOf(error))) throw error;
    }
  }
}

async function findRetired(
  host: HostDocker,
  request: ContainerRequest,
): Promise<RetiredContainer | undefined> {
  for (const wasRunning of [true, false]) {
    const name = retiredName(request.name, request.deploymentId, wasRunning);
    const found = await host.inspect(name);
    if (found) return { name: request.name, retiredName: name, containerId: found.Id, wasRunning };
  }
  return undefined;
}

/** Never touch a container Graphium did not create for this stack on this host. */
function assertOwned(container: Docker.ContainerInspectInfo, request: ContainerRequest, hostId: string) {
  const labels = container.Config.Labels ?? {};
  if (labels[LABEL_STACK] !== request.stack || labels[LABEL_HOST] !== hostId) {
    throw ApplicationFailure.create({
      type: INVALID_CONTAINER_SPEC,
      nonRetryable: true,
      message: `a container named ${request.name} already exists on host ${hostId} and does not belong to stack ${request.stack}`,
    });
  }
}

export async function startContainer(
  host: HostDocker,
  name: string,
): Promise<{ containerId: string; attempt: number }> {
  const container = await host.inspect(name);
  if (!container) throw new Error(`container ${name} does not exist on host ${host.hostId}`);
  try {
    await host.start(container.Id);
  } catch (error) {
    throw specFailure(`starting ${name} on host ${host.hostId}`, error);
  }
  return { containerId: container.Id, attempt: activityInfo().attempt };
}

/**
 * Waits until the container is ready: `healthy` when it has a healthcheck, else running for
 * `settleMs` without exiting. An exit or an unhealthy verdict fails at once with the reason and
 * the container's last log lines; heartbeats let a dead agent be noticed and the wait resumed.
 * The settle time is measured on the agent's clock alone (a remote daemon's may be skewed), from
 * when this attempt first sees the current run of the container.
 */
export async function waitReady(host: HostDocker, input: WaitReadyInput): Promise<ReadyResult> {
  const { attempt } = activityInfo();
  const deadline = Date.now() + input.timeoutMs;
  // Docker's StartedAt only identifies a run here: a restart between two polls changes it.
  let seenRun: { startedAt: string; since: number } | undefined;
  for (;;) {
    const container = await host.inspect(input.name);
    if (!container) throw notReady(input.name, host.hostId, 'the container disappeared');
    const { State: state } = container;
    heartbeat({ step: 'ready', container: input.name, status: state.Status, health: state.Health?.Status });
    if (input.untilExit) {
      // A one-shot dependency: its exit is the verdict, whatever its healthcheck said meanwhile.
      if (state.Status === 'exited' && state.ExitCode === 0) {
        return { containerId: container.Id, status: 'completed', attempt };
      }
    } else if (state.Health) {
      if (state.Health.Status === 'healthy') return { containerId: container.Id, status: 'healthy', attempt };
      if (state.Health.Status === 'unhealthy') {
        const last = state.Health.Log?.at(-1)?.Output?.trim();
        throw notReady(input.name, host.hostId, `healthcheck failed${last ? `: ${last}` : ''}`);
      }
    } else if (state.Running) {
      if (seenRun?.startedAt !== state.StartedAt) seenRun = { startedAt: state.StartedAt, since: Date.now() };
      if (Date.now() - seenRun.since >= input.settleMs) {
        return { containerId: container.Id, status: 'running', attempt };
      }
    }
    if (!state.Running && !state.Restarting && ['exited', 'dead'].includes(state.Status)) {
      const logs = await host.logTail(container.Id);
      throw notReady(
        input.name,
        host.hostId,
        `exited with code ${state.ExitCode}${logs ? `; last output: ${logs}` : ''}`,
      );
    }
    if (Date.now() > deadline) {
      throw notReady(
        input.name,
        host.hostId,
        `not ready after ${input.timeoutMs / 1000}s (state ${state.Status})`,
      );
    }
    await sleep(500);
  }
}

function notReady(name: string, hostId: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: CONTAINER_UNHEALTHY,
    nonRetryable: true,
    message: `container ${name} on host ${hostId} ${reason}`,
  });
}
