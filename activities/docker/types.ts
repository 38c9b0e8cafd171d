import type { RegistryCredential } from '../../stack/image-ref.js';
import type {
  BuildSpec,
  BundleManifest,
  HealthcheckSpec,
  NetworkSpec,
  PullPolicy,
  ServiceSpec,
  VolumeSpec,
} from '../../stack/types.js';

// Inputs and results of the Docker activities. Workflows import these as types only.

/** A network the stack uses on a host; the Compose settings are present only when the stack sets them. */
export interface StackNetwork extends Omit<NetworkSpec, 'name' | 'externalName'> {
  /** The Docker network name (`<stack>_<name>`, or the external name). */
  dockerName: string;
}

export interface StackVolume extends Omit<VolumeSpec, 'name' | 'externalName'> {
  dockerName: string;
}

export interface PrepareHostInput {
  stack: string;
  networks: StackNetwork[];
  volumes: StackVolume[];
  /** Services' `platform` values: checked against this host's daemon before anything is created. */
  platforms?: string[];
}

export interface NetworkAttachment {
  dockerName: string;
  aliases: string[];
  ipv4Address?: string;
  ipv6Address?: string;
}

export interface ContainerRequest {
  stack: string;
  deploymentId: string;
  service: ServiceSpec;
  replica: number;
  name: string;
  /** Networks to attach, with the aliases (and fixed addresses) the container has on each. */
  networks: NetworkAttachment[];
  /** Stack volume name → Docker volume name, for `type: volume` mounts. */
  volumes: Record<string, string>;
  /** The Docker network mode when the service sets `network_mode` (`service:x` resolved to `container:…`). */
  networkMode?: string;
  /** `pid: service:x` and `ipc: service:x`, resolved to `container:…`; other values come from the service. */
  pidMode?: string;
  ipcMode?: string;
  /** The stack version's bundle digest, when the service uses its files (bundle mounts, secrets, configs). */
  bundleDigest?: string;
  /** Bundle path of each secret the service mounts, by secret name. */
  secretFiles?: Record<string, string>;
  /** Bundle path of each config the service mounts, by config name. */
  configFiles?: Record<string, string>;
  /** `depends_on` with `restart: true`: a change to one of these recreates this container. */
  restartWith?: ServiceSpec[];
  /** Create it without the service's network aliases (blue-green: green answers only once switched). */
  withoutAliases?: boolean;
}

/**
 * One replica, brought up in one step (`deployReplica`): created (an older container of that name is
 * retired, unless unchanged), started, awaited until ready, then watched for `monitorMs`.
 */
export interface ReplicaRequest extends ContainerRequest {
  /** Without a healthcheck: how long it must stay running to count as started. */
  settleMs: number;
  /** A `service_completed_successfully` dependency: ready once it has exited with code 0. */
  untilExit?: boolean;
  /** After it is ready, how long it must stay up (and healthy) before it counts as a success. */
  monitorMs?: number;
  /**
   * `start-first`: the new container starts beside the old one (`<name>.next-…`, carrying the same
   * aliases) and takes the replica's name only once ready and watched; then the old one is retired.
   */
  order?: 'stop-first' | 'start-first';
}

export interface ReplicaResult {
  containerId: string;
  action: CreateContainerResult['action'];
  status: 'running' | 'healthy' | 'completed' | 'unchanged';
  attempt: number;
  /** The identity of the agent that ran it (`agent:vm1@host:1234`). */
  agent: string;
}

/** A replica's template: a container request without the name and replica number. */
export type ServiceTemplate = Omit<ContainerRequest, 'name' | 'replica' | 'deploymentId'>;

export interface InventoryInput {
  stack: string;
  /** The services to compute the config hash of, as this host would create their containers now. */
  services: ServiceTemplate[];
}

/** One container of the stack on a host, as the inventory sees it. */
export interface InventoryContainer {
  name: string;
  containerId: string;
  service: string;
  replica: number;
  deploymentId: string;
  configHash: string;
  /** Docker's state: running, exited, created… */
  state: string;
  /** Docker's health verdict when it has a healthcheck. */
  health?: 'starting' | 'healthy' | 'unhealthy';
}

/** What a host holds of a stack, and the config hash each service's containers would have now. */
export interface StackInventory {
  /** By service; absent when the host lacks the service's image. */
  hashes: Record<string, string>;
  containers: InventoryContainer[];
}

/** A container's attachments to move aliases onto or off: each network with the aliases it carries. */
export interface AliasMove {
  name: string;
  networks: NetworkAttachment[];
}

export interface MoveAliasesInput {
  stack: string;
  /** These get their aliases first (disconnect, reconnect with them)… */
  add: AliasMove[];
  /**
   * …then these lose every alias on every network they are on (disconnect, reconnect without), so
   * that some container always answers.
   */
  remove: { name: string }[];
}

export interface MoveAliasesResult extends SweepResult {
  /** The aliases taken from each container of `remove`: what to give back to undo the move. */
  removed: AliasMove[];
}

export interface RenameInput {
  stack: string;
  /** Each `from` takes the name `to`; a stack container holding `to` is stopped and removed first. */
  renames: { from: string; to: string }[];
}

/** What `createContainer` did, and what the saga needs to undo it. */
export interface CreateContainerResult {
  containerId: string;
  /** `unchanged`: a container with the same configuration already runs under this name. */
  action: 'created' | 'unchanged' | 'replaced';
  running: boolean;
  /** Set when an older container was renamed out of the way; rollback renames it back. */
  retired?: RetiredContainer;
  /** The healthcheck Docker will run (the image's own, overridden by the service's), if any. */
  healthcheck?: HealthcheckSpec;
  attempt: number;
}

export interface RetiredContainer {
  name: string;
  retiredName: string;
  containerId: string;
  wasRunning: boolean;
}

export interface WaitReadyInput {
  name: string;
  /** Docker's health status decides when the container has a healthcheck (its own or the image's). Without a healthcheck: how long the container must stay running to count as started. */
  settleMs: number;
  timeoutMs: number;
  /** A `service_completed_successfully` dependency: ready once it has exited with code 0. */
  untilExit?: boolean;
}

export interface ReadyResult {
  containerId: string;
  status: 'running' | 'healthy' | 'completed';
  attempt: number;
}

export interface PullImageInput {
  image: string;
  /** The credential of the image's registry (the workflow picks it; no other reaches the host). */
  auth?: RegistryCredential;
  /** The services' `pull_policy`; absent: pull only when missing. */
  policy?: PullPolicy;
  /** `deploy --pull`: pull again even when the host holds the tag. */
  refresh?: boolean;
  /** `os/arch[/variant]` to pull. */
  platform?: string;
}

export interface PullImageResult {
  pulled: boolean;
}

export interface BuildImageInput {
  stack: string;
  service: string;
  /** The stack version's bundle: the build context is a directory of it. */
  bundleDigest: string;
  build: BuildSpec;
  /** The service's `image`, tagged as well when it names one (outside `graphium.local/<stack>/`: with hostAccess only). */
  image?: string;
  /** The service's `hostAccess` (stack/types.ts). */
  hostAccess?: true;
  /** `pull_policy: build`: build even when the tag exists. */
  rebuild?: boolean;
  /** Credentials for base images in private registries. */
  registries?: RegistryCredential[];
  platform?: string;
}

export interface BuildImageResult {
  tag: string;
  imageId: string;
  built: boolean;
}

export interface MaterializeBundleInput {
  stack: string;
  manifest: BundleManifest;
}

export interface MaterializeBundleResult {
  /** Digests of file contents this host lacks; empty once the bundle is laid out. */
  missing: string[];
}

/** One file's content (or a slice of it, from `offset`, of a file of `size` bytes), base64. */
export interface BundleFileContent {
  digest: string;
  base64: string;
  offset?: number;
  size?: number;
}

export interface ObservedContainer {
  containerId: string;
  name: string;
  service: string;
  replica: number;
  deploymentId: string;
  image: string;
  state: string;
}

/** What a reconcile asks one host: the containers the deployed version places there, as deploy would create them. */
export interface DriftInventoryInput {
  stack: string;
  expected: ContainerRequest[];
}

export interface InventoriedContainer extends ObservedContainer {
  /** Its `io.graphium.host` label: the host it was created for (another one than this, or empty, is drift). */
  hostLabel: string;
  exitCode?: number;
  /** Only for a container the deployed version places here: how it differs from that definition. */
  difference?: string;
}

export interface DriftInventory {
  containers: InventoriedContainer[];
}

export interface RollbackInput {
  stack: string;
  deploymentId: string;
  /** Only these replicas (by their names): their new containers go, their previous ones come back. */
  names?: string[];
  /** `start-first`: a previous container is started again before the new one is removed (no gap). */
  order?: 'stop-first' | 'start-first';
}

/** What a whole-stack step did on one host, and what of the stack is left there afterwards. */
export interface SweepResult {
  /** Containers removed, stopped or started, by name. */
  affected: string[];
  /** Rollback only: previous containers renamed back into place. */
  restored: string[];
  /** Every container of the stack on this host after the step, as Docker reports it. */
  remaining: ObservedContainer[];
}

export interface PruneInput {
  stack: string;
  /** Names of containers that belong to the new version on this host; everything else of the stack goes. */
  keep: string[];
  /** The deployed version's bundle; every other bundle tree of the stack on this host goes. */
  bundleDigest?: string;
  /**
   * Kept containers the deploy saw running: any that is not running now (a daemon restart killed it
   * after it was found ready) is started again, so the version the deploy commits is the one that runs.
   */
  running?: string[];
}

export interface ServiceSelection {
  stack: string;
  /** Services to act on, in the order to act on them. */
  services: string[];
  /** Only these containers, by name (blue or green replicas of a blue-green switch). */
  names?: string[];
}
