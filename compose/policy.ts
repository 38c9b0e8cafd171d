// THE policy table: for every key of the Compose Specification, what Graphium does with it.
//   supported  mapped into the StackSpec (compose/normalize-*.ts); some values may still be admin-only
//              or refused, said in `note` and checked by the normalizer
//   ignored    accepted with a warning that says why (kept with the stack version)
//   refused    an error that says why: the key cannot mean anything when services run across hosts,
//              or Graphium cannot honour it and ignoring it would run something else than asked
//   admin      accepted only from an admin token (the API decides by role): it gives a container
//              power over the host it lands on
// An entry covers the keys below it unless the table lists some of them (then it lists them all).
// Key paths as the schema has them: `*` for a name, list items transparent. docs/compose.md shows this
// table; compose/policy.test.ts checks it names every schema key and agrees with the normalizer.

export type KeyStatus = 'supported' | 'ignored' | 'refused' | 'admin';

export interface KeyPolicy {
  status: KeyStatus;
  /** For ignored, refused and admin keys: the reason users see. For supported ones: what it maps to. */
  why: string;
  /** Value-dependent rules the normalizer applies on top (admin-only or refused values). */
  note?: string;
}

const supported = (why: string, note?: string): KeyPolicy => ({
  status: 'supported',
  why,
  ...(note ? { note } : {}),
});
const ignored = (why: string): KeyPolicy => ({ status: 'ignored', why });
const refused = (why: string): KeyPolicy => ({ status: 'refused', why });
const admin = (why: string): KeyPolicy => ({ status: 'admin', why });

const HOST_POWER = 'gives the container power over the host it runs on';
const NOT_ACROSS_HOSTS =
  'it joins another container, which exists on one host only, while Graphium places services independently';
const BUILD_ONLY =
  'a BuildKit or registry feature; the agents build with the classic builder, so the build runs without it';
const WINDOWS = 'Windows containers only; Graphium hosts run Linux containers';
const SWARM = 'a Swarm setting Graphium has no equivalent for';
const FIXED_ADDRESS =
  "a fixed address can take the address of another stack's container or of the host's own routes; one replica only";
const FIXED_SUBNET =
  "a chosen subnet can take over a route of the host (its LAN, another stack's network); Docker picks free ones otherwise";
const DEV_ONLY = 'a `docker compose` development-time feature on the machine running the CLI';

/** A service's container settings: the same keys for `services.*` and for `services.*.pre_start`. */
const service: Record<string, KeyPolicy> = {
  annotations: ignored('OCI annotations are not passed to containers by the agents'),
  attach: ignored('decides which logs `docker compose up` prints on the terminal; Graphium prints none'),
  blkio_config: ignored('block I/O weights and limits are not applied by the agents'),
  build: supported('built by the agent on each host that runs the service, from the bundle'),
  'build.additional_contexts': refused(
    'extra build contexts need BuildKit; the agents build with the classic builder',
  ),
  'build.args': supported('build arguments'),
  'build.cache_from': ignored(BUILD_ONLY),
  'build.cache_to': ignored(BUILD_ONLY),
  'build.context': supported(
    'a directory of the project, shipped in the bundle',
    'a URL or a path outside the project is refused',
  ),
  'build.dockerfile': supported('the Dockerfile, relative to the context'),
  'build.dockerfile_inline': supported("written into the bundle as the context's Dockerfile"),
  'build.entitlements': refused(
    'build entitlements need BuildKit; the agents build with the classic builder',
  ),
  'build.extra_hosts': ignored(BUILD_ONLY),
  'build.isolation': ignored(WINDOWS),
  'build.labels': supported('labels on the built image'),
  'build.network': ignored("builds use the host daemon's default build network"),
  'build.no_cache': ignored('each host builds once per content hash and keeps the result'),
  'build.no_cache_filter': ignored(BUILD_ONLY),
  'build.platforms': ignored('each host builds for its own platform'),
  'build.privileged': refused('privileged builds need BuildKit; the agents build with the classic builder'),
  'build.provenance': ignored(BUILD_ONLY),
  'build.pull': ignored('the agents build from what the host has, pulling missing base images'),
  'build.sbom': ignored(BUILD_ONLY),
  'build.secrets': refused('build secrets need BuildKit; the agents build with the classic builder'),
  'build.shm_size': ignored(BUILD_ONLY),
  'build.ssh': refused('an SSH agent of the machine running the CLI does not exist on the hosts that build'),
  'build.tags': ignored('the built image is tagged `image:` or `<stack>-<service>:<content hash>` only'),
  'build.target': supported('the Dockerfile stage to build'),
  'build.ulimits': ignored(BUILD_ONLY),
  cap_add: admin(`adding capabilities ${HOST_POWER}`),
  cap_drop: supported('capabilities removed from the container'),
  cgroup: ignored("cgroup namespace mode is left to the daemon's default"),
  cgroup_parent: ignored("containers stay in the daemon's default cgroup parent"),
  command: supported('the container command (exec form)'),
  configs: supported('mounted read-only at the target (`/<name>` by default), with uid, gid and mode'),
  cpu_count: ignored(WINDOWS),
  cpu_percent: ignored(WINDOWS),
  cpu_period: ignored('CFS period tuning is not applied; use `cpus`'),
  cpu_quota: ignored('CFS quota tuning is not applied; use `cpus`'),
  cpu_rt_period: ignored('real-time scheduling is not applied'),
  cpu_rt_runtime: ignored('real-time scheduling is not applied'),
  cpu_shares: supported('resources.cpuShares'),
  cpus: supported('resources.nanoCpus'),
  cpuset: supported('resources.cpusetCpus'),
  credential_spec: ignored(WINDOWS),
  device_cgroup_rules: refused(
    "device cgroup rules are not implemented by Graphium's agents; the container would lack the devices it expects",
  ),
  devices: admin(`host devices ${HOST_POWER}`),
  dns: supported('DNS servers'),
  dns_opt: supported('DNS options'),
  dns_search: supported('DNS search domains'),
  domainname: supported("the container's domain name"),
  entrypoint: supported('the entrypoint (exec form)'),
  env_file: supported('read at load time into `environment`; the files travel in the bundle'),
  environment: supported('the container environment, interpolated'),
  extra_hosts: supported('extra /etc/hosts entries'),
  gpus: refused("GPU access is not implemented by Graphium's agents; the service would run without its GPUs"),
  group_add: supported('supplementary groups'),
  hostname: supported('the container hostname'),
  image: supported(
    'the image to run (or the tag of the built image with `build:`)',
    "with `build:`, a deployer's image is tagged `image:` only when it is `graphium.local/<stack>/…` (else a warning): another name would replace that image for every stack on the host",
  ),
  init: supported('run an init process as PID 1'),
  ipc: supported(
    'the IPC mode',
    `\`host\` is admin-only; \`service:\`/\`container:\` are refused: ${NOT_ACROSS_HOSTS}`,
  ),
  isolation: ignored(WINDOWS),
  label_file: supported('read at load time into `labels`; the files travel in the bundle'),
  labels: supported('container labels (`io.graphium.` is reserved)'),
  logging: supported('the logging driver and its options'),
  mac_address: ignored('a fixed MAC address cannot be shared by several replicas and hosts'),
  mem_limit: supported('resources.memoryBytes'),
  mem_reservation: supported('resources.memoryReservationBytes'),
  mem_swappiness: ignored('swappiness tuning is not applied'),
  memswap_limit: supported('resources.memorySwapBytes'),
  models: refused(
    'Docker Model Runner models run on the machine of `docker compose`; Graphium hosts have none',
  ),
  network_mode: supported(
    'the network mode: `bridge` or `none` replace the stack networks',
    `\`host\` and \`bridge\` (the host's docker0, shared with every stack) are admin-only; \`service:\`/\`container:\` are refused: ${NOT_ACROSS_HOSTS}`,
  ),
  networks: supported('the stack networks the service joins'),
  'networks.*.aliases': supported('extra DNS names on that network'),
  'networks.*.driver_opts': ignored('per-endpoint driver options are not applied'),
  'networks.*.gw_priority': ignored('the gateway is chosen by the daemon'),
  'networks.*.interface_name': ignored('interface names are chosen by the daemon'),
  'networks.*.ipv4_address': admin(FIXED_ADDRESS),
  'networks.*.ipv6_address': admin(FIXED_ADDRESS),
  'networks.*.link_local_ips': ignored('link-local addresses are not applied'),
  'networks.*.mac_address': ignored('a fixed MAC address cannot be shared by several replicas and hosts'),
  'networks.*.priority': ignored('networks are connected in the order written'),
  'networks.*.use_service_name_alias': ignored('the service name is always an alias on its networks'),
  oom_kill_disable: ignored('disabling the OOM killer is not applied'),
  oom_score_adj: ignored('OOM score adjustment is not applied'),
  pid: supported(
    'the PID namespace',
    `\`host\` is admin-only; \`service:\`/\`container:\` are refused: ${NOT_ACROSS_HOSTS}`,
  ),
  pids_limit: supported('resources.pidsLimit'),
  platform: supported('`os/arch[/variant]`, checked against each host before anything is created'),
  ports: supported('published ports, on each host that runs a replica'),
  'ports.app_protocol': ignored('an application protocol hint that Docker does not use'),
  'ports.host_ip': supported('the host address to publish on'),
  'ports.mode': ignored('ports are always published on the host that runs the replica'),
  'ports.name': ignored('a port name is documentation only'),
  'ports.protocol': supported('tcp or udp'),
  'ports.published': supported('the host port'),
  'ports.target': supported('the container port'),
  privileged: admin('a privileged container has full control of the host it runs on'),
  pull_policy: supported('always, missing, never, build, daily, weekly or every_<duration>'),
  pull_refresh_after: ignored('use `pull_policy: every_<duration>`'),
  read_only: supported('a read-only root file system'),
  runtime: ignored("the daemon's default runtime is used"),
  secrets: supported('mounted read-only at /run/secrets/<name> (or the target), with uid, gid and mode'),
  security_opt: admin(`security options (seccomp, AppArmor, SELinux labels) ${HOST_POWER}`),
  shm_size: supported('the size of /dev/shm'),
  stdin_open: supported('keep stdin open'),
  stop_grace_period: supported('how long to wait after the stop signal'),
  stop_signal: supported('the stop signal'),
  storage_opt: ignored('storage driver options are not applied'),
  sysctls: admin(`kernel parameters ${HOST_POWER}`),
  tmpfs: supported('tmpfs mounts'),
  tty: supported('allocate a terminal'),
  ulimits: supported('resource limits (nofile, nproc...)'),
  umask: ignored('the umask is left to the image'),
  use_api_socket: refused(
    'it exposes the Docker API socket and credentials of the machine running `docker compose`',
  ),
  user: supported('the user the process runs as'),
  userns_mode: admin(`a user namespace mode ${HOST_POWER}`),
  uts: refused("sharing the host's UTS namespace is not implemented by Graphium's agents"),
  volumes: supported('named, anonymous, bind (absolute: admin-only), bundle and stack-data mounts'),
  'volumes.bind': supported('bind options'),
  'volumes.bind.create_host_path': supported('create a missing source directory'),
  'volumes.bind.propagation': ignored('mount propagation is left to the default (rprivate)'),
  'volumes.bind.recursive': ignored('bind mounts are recursive, as by default'),
  'volumes.bind.selinux': ignored('SELinux relabelling is not applied'),
  'volumes.consistency': ignored('a Docker Desktop file-sharing setting'),
  'volumes.image': refused('image mounts need Docker 28, newer than the daemons Graphium supports'),
  'volumes.read_only': supported('read-only mount'),
  'volumes.source': supported('the volume name or bind source'),
  'volumes.target': supported('the path in the container'),
  'volumes.tmpfs': supported('tmpfs options'),
  'volumes.tmpfs.mode': supported('tmpfs mode bits'),
  'volumes.tmpfs.size': supported('tmpfs size'),
  'volumes.type': supported('volume, bind or tmpfs', '`npipe`, `cluster` and `image` are refused'),
  'volumes.volume': supported('volume options'),
  'volumes.volume.labels': ignored('labels of an anonymous volume are not applied'),
  'volumes.volume.nocopy': supported("do not copy the image's content into a new volume"),
  'volumes.volume.subpath': refused(
    'volume subpaths need Docker 26, newer than the daemons Graphium supports',
  ),
  volumes_from: refused(NOT_ACROSS_HOSTS),
  working_dir: supported('the working directory'),
  healthcheck: supported('the health check'),
  'healthcheck.disable': supported("turn the image's check off"),
  'healthcheck.interval': supported('intervalMs'),
  'healthcheck.retries': supported('retries'),
  'healthcheck.start_interval': supported('startIntervalMs'),
  'healthcheck.start_period': supported('startPeriodMs'),
  'healthcheck.test': supported('the test command'),
  'healthcheck.timeout': supported('timeoutMs'),
  depends_on: supported('start order: dependencies are deployed in earlier waves'),
  'depends_on.*.condition': supported('service_started, service_healthy or service_completed_successfully'),
  'depends_on.*.required': supported(
    'false: a dependency that is not in the project (profiles) is dropped with a warning',
  ),
  'depends_on.*.restart': supported('recreate this service when the dependency is updated'),
  expose: supported('ports reachable by the other services'),
};

function prefixed(prefix: string, entries: Record<string, KeyPolicy>): Record<string, KeyPolicy> {
  return Object.fromEntries(Object.entries(entries).map(([key, policy]) => [`${prefix}.${key}`, policy]));
}

export const composePolicy: Record<string, KeyPolicy> = {
  version: ignored('obsolete: Compose ignores it too'),
  name: supported('the default stack name'),
  include: supported('other Compose projects loaded into this one (files inside the project)'),
  services: supported('the services'),
  ...prefixed('services.*', service),
  'services.*.container_name': supported(
    'a fixed container name',
    "only with one replica; a deployer's starts with `<stack>_`: another name can take, and block, another stack's or Graphium's container",
  ),
  'services.*.deploy': supported('replicas, placement, resources, restart, update and rollback'),
  'services.*.deploy.endpoint_mode': ignored(
    'services reach each other by DNS name on their networks (dnsrr-like)',
  ),
  'services.*.deploy.labels': ignored('service labels are Swarm objects; use `labels` for container labels'),
  'services.*.deploy.mode': supported(
    '`replicated`',
    '`global` and the job modes are refused: Graphium places replicas by count',
  ),
  'services.*.deploy.placement': supported('where replicas run'),
  'services.*.deploy.placement.constraints': supported(
    'node.hostname, node.id and node.labels.<key> with == or !=',
  ),
  'services.*.deploy.placement.max_replicas_per_node': refused(
    'Graphium spreads replicas by its own placement; this limit is not honoured',
  ),
  'services.*.deploy.placement.preferences': ignored(
    'Graphium spreads replicas over the hosts that satisfy the constraints',
  ),
  'services.*.deploy.replicas': supported('the replica count'),
  'services.*.deploy.resources': supported('resource limits'),
  'services.*.deploy.resources.limits': supported('limits'),
  'services.*.deploy.resources.limits.cpus': supported('resources.nanoCpus'),
  'services.*.deploy.resources.limits.memory': supported('resources.memoryBytes'),
  'services.*.deploy.resources.limits.pids': supported('resources.pidsLimit'),
  'services.*.deploy.resources.reservations': supported('reservations'),
  'services.*.deploy.resources.reservations.cpus': ignored(
    'a CPU reservation has no Docker equivalent on one host; placement does not count CPUs',
  ),
  'services.*.deploy.resources.reservations.devices': refused(
    "device (GPU) reservations are not implemented by Graphium's agents; the service would run without them",
  ),
  'services.*.deploy.resources.reservations.generic_resources': refused(SWARM),
  'services.*.deploy.resources.reservations.memory': supported('resources.memoryReservationBytes'),
  'services.*.deploy.restart_policy': supported('the restart policy'),
  'services.*.deploy.restart_policy.condition': supported('none, on-failure or any'),
  'services.*.deploy.restart_policy.delay': ignored('Docker restarts with its own back-off'),
  'services.*.deploy.restart_policy.max_attempts': supported('maximum retries (with on-failure)'),
  'services.*.deploy.restart_policy.window': ignored('Docker restarts with its own back-off'),
  'services.*.deploy.rollback_config': supported('rollbackConfig'),
  'services.*.deploy.update_config': supported('updateConfig'),
  'services.*.develop': ignored(DEV_ONLY),
  'services.*.extends': supported('merged from another service, in this file or another'),
  'services.*.external_links': refused('links to containers outside the stack exist on one host only'),
  'services.*.links': supported(
    '`service:alias` adds the alias on the shared networks; a bare name adds nothing',
  ),
  'services.*.post_start': refused(
    "lifecycle hooks are not implemented by Graphium's agents; the service would start without them",
  ),
  'services.*.pre_start': refused(
    "lifecycle hooks are not implemented by Graphium's agents; the service would start without them",
  ),
  'services.*.pre_stop': refused(
    "lifecycle hooks are not implemented by Graphium's agents; the service would stop without them",
  ),
  'services.*.profiles': supported('the service runs only when one of its profiles is active'),
  'services.*.provider': refused('provider services run a plugin on the machine of `docker compose`'),
  'services.*.restart': supported('no, always, on-failure[:N] or unless-stopped'),
  'services.*.scale': supported('the replica count'),
  networks: supported('the stack networks, created on each host that needs them'),
  'networks.*.attachable': supported('attachable'),
  'networks.*.driver': supported('the driver', '`bridge` (the default); any other driver is admin-only'),
  'networks.*.driver_opts': admin(
    "driver options reach the host's interfaces and bridges (macvlan `parent: eth0`, `com.docker.network.bridge.name`)",
  ),
  'networks.*.enable_ipv4': ignored('IPv4 is always enabled on the daemons Graphium supports'),
  'networks.*.enable_ipv6': supported('IPv6'),
  'networks.*.external': supported('an existing network', 'admin-only when true'),
  'networks.*.internal': supported('no outside access'),
  'networks.*.ipam': supported('address management'),
  'networks.*.ipam.config': supported('subnets'),
  'networks.*.ipam.config.aux_addresses': ignored('auxiliary addresses are not applied'),
  'networks.*.ipam.config.gateway': admin(FIXED_SUBNET),
  'networks.*.ipam.config.ip_range': admin(FIXED_SUBNET),
  'networks.*.ipam.config.subnet': admin(FIXED_SUBNET),
  'networks.*.ipam.driver': supported(
    'the IPAM driver',
    '`default`; any other (a plugin that runs on the host) is admin-only',
  ),
  'networks.*.ipam.options': ignored('IPAM driver options are not applied'),
  'networks.*.labels': supported('network labels'),
  'networks.*.name': supported(
    'the Docker name of an external network',
    'ignored with a warning on a network Graphium creates: it is always `<stack>_<key>`',
  ),
  volumes: supported('the stack volumes, created on each host that needs them'),
  'volumes.*.driver': supported(
    'the driver',
    '`local` (the default); any other driver (a plugin on the host) is admin-only',
  ),
  'volumes.*.driver_opts': admin(
    "driver options mount what the host can reach (`type: none, o: bind, device: /` is the host's root; NFS and CIFS shares, block devices)",
  ),
  'volumes.*.external': supported('an existing volume', 'admin-only when true'),
  'volumes.*.labels': supported('volume labels'),
  'volumes.*.name': supported(
    'the Docker name of an external volume',
    'ignored with a warning on a volume Graphium creates: it is always `<stack>_<key>`',
  ),
  secrets: supported('secrets: files of the bundle, stored encrypted'),
  'secrets.*.driver': refused(
    'secret drivers are Swarm plugins; give the secret a `file:` or `environment:`',
  ),
  'secrets.*.driver_opts': refused(
    'secret drivers are Swarm plugins; give the secret a `file:` or `environment:`',
  ),
  'secrets.*.environment': supported('the value of a variable, at load time'),
  'secrets.*.external': refused(
    'an external secret lives in a Swarm store that Graphium hosts do not share; give it a `file:` or `environment:`',
  ),
  'secrets.*.file': supported('a file of the project'),
  'secrets.*.labels': ignored('secrets are files, not Docker objects, so they carry no labels'),
  'secrets.*.name': ignored('secrets are files, not Docker objects, so they need no Docker name'),
  'secrets.*.template_driver': refused('template drivers are Swarm plugins'),
  configs: supported('configs: files of the bundle'),
  'configs.*.content': supported('inline content, interpolated'),
  'configs.*.environment': supported('the value of a variable, at load time'),
  'configs.*.external': refused(
    'an external config lives in a Swarm store that Graphium hosts do not share; give it a `file:` or `content:`',
  ),
  'configs.*.file': supported('a file of the project'),
  'configs.*.labels': ignored('configs are files, not Docker objects, so they carry no labels'),
  'configs.*.name': ignored('configs are files, not Docker objects, so they need no Docker name'),
  'configs.*.template_driver': refused('template drivers are Swarm plugins'),
  models: refused(
    'Docker Model Runner models run on the machine of `docker compose`; Graphium hosts have none',
  ),
  jobs: refused(
    'jobs (containers run on triggers) are not implemented by Graphium yet; they would never run',
  ),
};

/** The table entry that decides a key path (`services.*.ports.mode`): the longest listed prefix. */
export function policyFor(pattern: string): { key: string; policy: KeyPolicy } | undefined {
  const parts = pattern.split('.');
  for (let length = parts.length; length > 0; length--) {
    const key = parts.slice(0, length).join('.');
    const policy = composePolicy[key];
    if (policy) return { key, policy };
  }
  return undefined;
}
