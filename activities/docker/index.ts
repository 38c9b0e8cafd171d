import type Docker from 'dockerode';
import type { Logger } from '../../lib/log.js';
import { AgentFiles } from './agent-files.js';
import { buildImage } from './builds.js';
import { materializeBundle, storeBundleFiles } from './bundles.js';
import { checkDaemon } from './client.js';
import { createContainer, startContainer, waitReady } from './containers.js';
import { driftInventory } from './drift-inventory.js';
import { HostDocker } from './host-docker.js';
import { pullImage } from './images.js';
import { prepareHost } from './networks.js';
import { deployReplica, inventoryStack } from './replicas.js';
import {
  listStackContainers,
  pruneStack,
  removeStack,
  rollbackDeployment,
  startContainers,
  stopContainers,
} from './stack-sweeps.js';
import { moveAliases, renameContainers } from './traffic.js';
import type {
  BuildImageInput,
  BundleFileContent,
  ContainerRequest,
  DriftInventoryInput,
  InventoryInput,
  MaterializeBundleInput,
  MoveAliasesInput,
  PrepareHostInput,
  PruneInput,
  PullImageInput,
  RenameInput,
  ReplicaRequest,
  RollbackInput,
  ServiceSelection,
  WaitReadyInput,
} from './types.js';

export interface HostDescription {
  hostId: string;
  dockerId: string;
  daemonName: string;
  serverVersion: string;
}

export interface AgentSettings {
  /** The DOCKER_HOST the client was built from, so errors name the right daemon. */
  dockerHost?: string;
  /** GRAPHIUM_AGENT_DATA_DIR: bundles, stack data and pull records; the daemon must see the same path. */
  dataDir: string;
  /** The agent's worker identity, returned with each replica so progress shows who ran it. */
  identity?: string;
}

/**
 * The Docker activities one agent runs against its own daemon. `hostId` is bound here: results
 * and log lines say which host answered, and labels keep hosts that share a daemon apart.
 */
export function createDockerActivities(docker: Docker, hostId: string, log: Logger, settings: AgentSettings) {
  const files = new AgentFiles(settings.dataDir);
  const host = new HostDocker(docker, hostId, log, files);
  return {
    describeHost: async (): Promise<HostDescription> => ({
      hostId,
      ...(await checkDaemon(docker, settings.dockerHost)),
    }),
    prepareHost: (input: PrepareHostInput) => prepareHost(host, input),
    materializeBundle: (input: MaterializeBundleInput) => materializeBundle(files, input),
    storeBundleFiles: (input: { files: BundleFileContent[] }) => storeBundleFiles(files, input),
    pullImage: (input: PullImageInput) => pullImage(host, input),
    buildImage: (input: BuildImageInput) => buildImage(host, input),
    deployReplica: (request: ReplicaRequest) => deployReplica(host, request, settings.identity ?? hostId),
    inventoryStack: (input: InventoryInput) => inventoryStack(host, input),
    moveAliases: (input: MoveAliasesInput) => moveAliases(host, input),
    renameContainers: (input: RenameInput) => renameContainers(host, input),
    // The three steps of a replica, one activity each: workflows before deployReplica schedule them.
    createContainer: (request: ContainerRequest) => createContainer(host, request),
    startContainer: (input: { name: string }) => startContainer(host, input.name),
    waitReady: (input: WaitReadyInput) => waitReady(host, input),
    listStackContainers: (input: { stack: string }) => listStackContainers(host, input.stack),
    driftInventory: (input: DriftInventoryInput) => driftInventory(host, input),
    rollbackDeployment: (input: RollbackInput) => rollbackDeployment(host, input),
    pruneStack: (input: PruneInput) => pruneStack(host, input),
    removeStack: (input: { stack: string; volumes?: boolean }) =>
      removeStack(host, input.stack, input.volumes === true),
    stopContainers: (input: ServiceSelection) => stopContainers(host, input),
    startContainers: (input: ServiceSelection) => startContainers(host, input),
  };
}

export type DockerActivities = ReturnType<typeof createDockerActivities>;

/**
 * The one activity of the agent's liveness worker (its own queue and slots, hostLivenessQueue): it
 * answers at once, so a workflow that sees it picked up knows the agent is polling, however busy
 * its Docker slots are.
 */
export function createLivenessActivities(hostId: string, identity: string) {
  return {
    agentAlive: async (): Promise<{ hostId: string; identity: string }> => ({ hostId, identity }),
  };
}

export type LivenessActivities = ReturnType<typeof createLivenessActivities>;
export type * from './types.js';
