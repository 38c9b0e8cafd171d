// The normalized, validated form of a Compose document. Pure data: stored in the database,
// passed to workflows as input, and turned into Docker API calls by the agents.

export interface StackSpec {
  /** The Compose project `name:`, when the document sets one; a default for the stack name. */
  name?: string;
  /** Services in dependency order: every service comes after the services it depends on. */
  services: ServiceSpec[];
  /** Networks the stack uses, including the implicit `default` when a service names none. */
  networks: NetworkSpec[];
  volumes: VolumeSpec[];
}

export interface ServiceSpec {
  name: string;
  image: string;
  /** Exec form; a Compose string is split with shell-word rules. */
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  ports: PortSpec[];
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
}

export interface PortSpec {
  target: number;
  published?: number;
  protocol: 'tcp' | 'udp';
  hostIp?: string;
}

export interface MountSpec {
  type: 'volume' | 'bind';
  /** A stack volume name (type volume) or an absolute host path (type bind). */
  source: string;
  target: string;
  readOnly: boolean;
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
}

export interface DependencySpec {
  service: string;
  condition: 'service_started' | 'service_healthy';
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
}

export interface NetworkSpec {
  name: string;
  driver?: string;
  /** External networks must already exist on the host; Graphium neither creates nor removes them. */
  external: boolean;
  /** The Docker name of an external network (Compose `name:`), else `<stack>_<name>`. */
  externalName?: string;
}

export interface VolumeSpec {
  name: string;
  driver?: string;
  external: boolean;
  externalName?: string;
}

/** A host as placement sees it. */
export interface PlacementHost {
  id: string;
  name: string;
  labels: Record<string, string>;
  online: boolean;
}

/** One container of a stack on one host: the unit every workflow step works on. */
export interface PlacedContainer {
  service: string;
  replica: number;
  hostId: string;
  /** `<stack>_<service>_<replica>`, the Docker container name. */
  name: string;
}
