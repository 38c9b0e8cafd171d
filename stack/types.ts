// The normalized, validated form of a Compose project. Pure data: stored in the database, passed to
// workflows as input, and turned into Docker API calls by the agents. Everything the Compose loader
// resolves (interpolation, env files, extends, merged files, profiles, include) is already applied:
// what is here is final. Optional fields are omitted when the Compose file did not set them, so a
// spec stored before a field existed reads the same as one that does not use it.

export interface StackSpec {
  /** The Compose project `name:`, when the document sets one; a default for the stack name. */
  name?: string;
  /** Services in dependency order: every service comes after the services it depends on. */
  services: ServiceSpec[];
  /** Networks the stack uses, including the implicit `default` when a service names none. */
  networks: NetworkSpec[];
  volumes: VolumeSpec[];
  /** Top-level `secrets`, each resolved to a file of the bundle. */
  secrets?: FileObjectSpec[];
  /** Top-level `configs`, each resolved to a file of the bundle. */
  configs?: FileObjectSpec[];
  /** The files the agents materialize before creating containers (relative binds, secrets, build contexts). */
  bundle?: BundleManifest;
  /** Graphium's own settings from the top-level `x-graphium` extension. */
  graphium?: GraphiumSettings;
}

export interface GraphiumSettings {
  /** `repair`: a reconcile that finds drift redeploys the current version; `report` (default) only records it. */
  reconcile?: 'report' | 'repair';
}

/**
 * The files of a stack version, content-addressed. Paths are POSIX, relative to the project
 * directory (the directory of the first Compose file), never absolute and never above it.
 */
export interface BundleManifest {
  /** SHA-256 (hex) of the canonical manifest: equal digests mean equal bundles. */
  digest: string;
  files: BundleFile[];
}

export interface BundleFile {
  path: string;
  /** SHA-256 (hex) of the content. */
  digest: string;
  size: number;
  /** Unix permission bits (0o644 when unknown). */
  mode: number;
  /** Secret content: stored encrypted, never shown to viewers, never logged. */
  secret?: boolean;
}

/** A top-level secret or config: its content is the bundle file `file`. */
export interface FileObjectSpec {
  name: string;
  /** Bundle path of the content (a `file:` source as written, or a file Graphium made from `environment:`/`content:`). */
  file: string;
}

/** A service's use of a secret or config: mounted read-only at `target`. */
export interface FileMountSpec {
  /** The top-level secret or config name. */
  source: string;
  /** Absolute path in the container: `/run/secrets/<name>` for secrets, `/<name>` for configs, unless set. */
  target: string;
  uid?: string;
  gid?: string;
  /** Unix permission bits; Compose's default is 0o444. */
  mode?: number;
}

export interface ServiceSpec {
  name: string;
  /**
   * The image to run. With `build:` and no `image:`, the agent tags what it builds as
   * `<stack>-<service>:<build.contextDigest, 12 chars>` (see builtImageTag); with both, it tags it as `image`.
   */
  image: string;
  /** Exec form; a Compose string is split with shell-word rules. */
  command?: string[];
  entrypoint?: string[];
  /** Final environment: `env_file` entries first, then `environment`, all interpolated. */
  environment: Record<string, string>;
  ports: PortSpec[];
  /** `expose`: container ports published to linked services only, e.g. `3000/tcp`. */
  expose?: string[];
  mounts: MountSpec[];
  labels: Record<string, string>;
  restart: RestartSpec;
  healthcheck?: HealthcheckSpec;
  /** How long `stop` waits after the stop signal before killing (Docker's default: 10 s). */
  stopGracePeriodMs?: number;
  stopSignal?: string;
  dependsOn: DependencySpec[];
  replicas: number;
  constraints: PlacementConstraint[];
  networks: ServiceNetworkSpec[];
  /** Set when the container must not join the stack's networks (`network_mode`); then `networks` is empty. */
  networkMode?: string;
  build?: BuildSpec;
  pullPolicy?: PullPolicy;
  /** `os/arch[/variant]`, checked against the host's daemon before anything is created. */
  platform?: string;
  /** A fixed container name (Compose `container_name`); only with one replica. */
  containerName?: string;
  /**
   * Set by the API only: this reaches beyond the stack on its host (stack/namespace.ts) and the
   * version's author may do that (an admin, or this installation's Compose policy). Agents refuse
   * what reaches beyond the stack without it.
   */
  hostAccess?: true;

  hostname?: string;
  domainname?: string;
  user?: string;
  workingDir?: string;
  /** `host:ip` entries for /etc/hosts. */
  extraHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOpt?: string[];
  capAdd?: string[];
  capDrop?: string[];
  sysctls?: Record<string, string>;
  ulimits?: Record<string, { soft: number; hard: number }>;
  shmSizeBytes?: number;
  init?: boolean;
  readOnly?: boolean;
  stdinOpen?: boolean;
  tty?: boolean;
  privileged?: boolean;
  devices?: DeviceSpec[];
  pid?: string;
  ipc?: string;
  securityOpt?: string[];
  usernsMode?: string;
  groupAdd?: string[];
  logging?: { driver?: string; options?: Record<string, string> };
  resources?: ResourcesSpec;
  secrets?: FileMountSpec[];
  configs?: FileMountSpec[];
  /** Rolling update settings (`deploy.update_config`); defaults apply when absent. */
  updateConfig?: UpdateConfigSpec;
  /** How a failed update is rolled back (`deploy.rollback_config`). */
  rollbackConfig?: UpdateConfigSpec;
}

export interface BuildSpec {
  /** Bundle path of the build context directory (`.` for the project directory). */
  context: string;
  /** The Dockerfile, relative to the context. */
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
  labels: Record<string, string>;
  /**
   * SHA-256 over everything that defines the build: the context's files (after .dockerignore),
   * the Dockerfile, args, target and labels. The same digest builds the same image.
   */
  contextDigest: string;
}

export type PullPolicy = 'always' | 'missing' | 'never' | 'build' | 'daily' | 'weekly' | { everyMs: number };

export interface ResourcesSpec {
  memoryBytes?: number;
  memoryReservationBytes?: number;
  memorySwapBytes?: number;
  /** CPUs as Docker's NanoCpus (1.5 CPUs = 1_500_000_000). */
  nanoCpus?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  pidsLimit?: number;
}

export interface DeviceSpec {
  pathOnHost: string;
  pathInContainer: string;
  permissions: string;
}

export interface UpdateConfigSpec {
  /** Replicas of the service updated at once, across all its hosts; 0 means all at once. */
  parallelism: number;
  delayMs: number;
  order: 'stop-first' | 'start-first';
  failureAction: 'rollback' | 'pause' | 'continue';
  /** After a replica is ready, how long it is watched before the update counts it as a success. */
  monitorMs: number;
  /** Share of failed replicas (0–1) tolerated before the failure action applies. */
  maxFailureRatio: number;
}

export interface PortSpec {
  target: number;
  published?: number;
  protocol: 'tcp' | 'udp';
  hostIp?: string;
}

export interface MountSpec {
  /**
   * `volume`: a stack volume (by its Compose name), or an anonymous one when `source` is empty.
   * `bind`: an absolute host path (admin only).
   * `bundle`: a relative bind whose source the project ships (`./nginx.conf`, `./conf.d/`): bound from
   * where the agent materialized this stack version's bundle, so each version sees its own content.
   * `stack-data`: a relative bind whose source the project does not ship (`./data:/var/lib/x`): a
   * directory kept per stack on each host across versions, as data, removed when the stack is deleted.
   * `tmpfs`: memory.
   */
  type: 'volume' | 'bind' | 'bundle' | 'stack-data' | 'tmpfs';
  /** A stack volume name, an absolute host path, a project-relative path, or '' (anonymous volume, tmpfs). */
  source: string;
  target: string;
  readOnly: boolean;
  /** bind/bundle: create a missing host path (Compose `bind.create_host_path`, true for short syntax). */
  createHostPath?: boolean;
  /** volume: do not copy the image's content into a new volume. */
  noCopy?: boolean;
  /** tmpfs: size in bytes and mode bits. */
  tmpfsSizeBytes?: number;
  tmpfsMode?: number;
}

export interface RestartSpec {
  policy: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  maxRetries?: number;
}

export interface HealthcheckSpec {
  /** Docker form: ['CMD', ...], ['CMD-SHELL', cmd], ['NONE'] when disabled, or [] to keep the image's test. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
}

export interface DependencySpec {
  service: string;
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  /** Recreate this service when the dependency is updated (Compose `restart: true`). */
  restart?: boolean;
}

export interface PlacementConstraint {
  /** As written, for error messages: `node.labels.zone == a`. */
  expression: string;
  field: 'node.id' | 'node.hostname' | 'node.labels';
  /** The label key when field is node.labels. */
  label?: string;
  operator: '==' | '!=';
  value: string;
}

export interface ServiceNetworkSpec {
  /** The stack-level network name (`default`, `backend`), not the Docker name. */
  name: string;
  aliases: string[];
  ipv4Address?: string;
  ipv6Address?: string;
}

export interface NetworkSpec {
  name: string;
  driver?: string;
  driverOpts?: Record<string, string>;
  internal?: boolean;
  attachable?: boolean;
  enableIpv6?: boolean;
  labels?: Record<string, string>;
  ipam?: { driver?: string; config: { subnet?: string; gateway?: string; ipRange?: string }[] };
  /** External networks must already exist on the host; Graphium neither creates nor removes them. */
  external: boolean;
  /** The Docker name of an external network (Compose `name:`), else `<stack>_<name>`. */
  externalName?: string;
  /**
   * Set by the API only: this reaches beyond the stack on its host (stack/namespace.ts) and the
   * version's author may do that (an admin, or this installation's Compose policy). Agents refuse
   * what reaches beyond the stack without it.
   */
  hostAccess?: true;
}

export interface VolumeSpec {
  name: string;
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
  external: boolean;
  externalName?: string;
  /**
   * Set by the API only: this reaches beyond the stack on its host (stack/namespace.ts) and the
   * version's author may do that (an admin, or this installation's Compose policy). Agents refuse
   * what reaches beyond the stack without it.
   */
  hostAccess?: true;
}

/** A host as placement sees it. */
export interface PlacementHost {
  id: string;
  name: string;
  labels: Record<string, string>;
  online: boolean;
  /** Offline, but its agent was seen alive moments ago: briefly unreachable, so its replicas stay. */
  recentlySeen?: boolean;
}

/** One container of a stack on one host: the unit every workflow step works on. */
export interface PlacedContainer {
  service: string;
  replica: number;
  hostId: string;
  /** `<stack>_<service>_<replica>`, the Docker container name (or the service's `container_name`). */
  name: string;
}
