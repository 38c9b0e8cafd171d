import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseRolePolicy, RolePolicy } from '../../compose/role-policy.js';
import { createTestApi, json, type TestApi } from '../harness/api-app.js';
import { useInfra } from '../harness/infra.js';

// Hostile Compose documents, each sent through the real API (Hono app, PostgreSQL) with a deployer's
// token, each with the answer it must get: refused for its role (403 forbidden), refused for everyone
// (400 invalid_compose), or accepted and made safe (201, with the warning that says how). The issue
// path named is checked too, so a document refused for another reason than its attack fails here.
// docs/security.md shows this table.

type Expect =
  | { status: 403 | 400; path: string; match?: RegExp }
  | { status: 201; warning?: string; check?: (body: Body) => void };
// biome-ignore lint/suspicious/noExplicitAny: the response body is read loosely.
type Body = any;

const forbidden = (path: string, match?: RegExp): Expect => ({
  status: 403,
  path,
  ...(match ? { match } : {}),
});
const invalid = (path: string, match?: RegExp): Expect => ({
  status: 400,
  path,
  ...(match ? { match } : {}),
});
const accepted = (warning?: string, check?: (body: Body) => void): Expect => ({
  status: 201,
  ...(warning ? { warning } : {}),
  ...(check ? { check } : {}),
});

/** One service `app` with these extra lines (indented under it), and top-level `extra`. */
const app = (lines: string, extra = '') =>
  `services:\n  app:\n    image: busybox:1.36\n${lines
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n${extra}`;
const withVolume = (volume: string) => app('volumes: ["data:/data"]', `volumes:\n  data:\n${volume}`);
const withNetwork = (network: string, service = 'networks: [lan]') =>
  app(service, `networks:\n  lan:\n${network}`);
const BILLION_LAUGHS = [
  'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'x-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'x-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'x-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'x-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'x-f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'x-g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'x-h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  'x-i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]',
  'services:',
  '  app:',
  '    image: busybox:1.36',
  '    command: *i',
].join('\n');

/** [what it tries, the document (YAML), the answer]. The stack is named `h<row>`. */
export const HOSTILE: [string, string, Expect][] = [
  // The host's root and devices through a volume's driver options (issue 20).
  [
    'volume driver_opts binds the host root',
    withVolume('    driver_opts: {type: none, o: bind, device: /}'),
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume driver_opts binds /etc',
    withVolume('    driver_opts: {type: none, o: bind, device: /etc}'),
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume driver_opts binds a relative directory',
    withVolume('    driver_opts: {type: none, o: bind, device: ./data}'),
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume driver_opts rbind of /var/run',
    withVolume('    driver_opts: {type: none, o: rbind, device: /var/run}'),
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume driver local with bind options',
    withVolume('    driver: local\n    driver_opts: {type: none, o: bind, device: /root}'),
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume driver_opts mounts a block device',
    withVolume('    driver_opts: {type: ext4, device: /dev/sda1}'),
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume driver_opts mounts an NFS share',
    withVolume('    driver_opts: {type: nfs, o: "addr=10.0.0.5,rw", device: ":/exports"}'),
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume driver_opts mounts a CIFS share',
    withVolume('    driver_opts: {type: cifs, o: "username=u,password=p", device: //fileserver/share}'),
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume driver_opts mounts a tmpfs of any size',
    withVolume('    driver_opts: {type: tmpfs, device: tmpfs, o: "size=100g"}'),
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume driver_opts as a list',
    withVolume('    driver_opts: ["type=none", "o=bind", "device=/"]'),
    invalid('volumes.data.driver_opts', /expected a mapping/),
  ],
  [
    'volume driver_opts through a variable',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation, as users write it
    withVolume('    driver_opts: {type: none, o: bind, device: "${ROOT:-/}"}'),
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume driver_opts through an anchor',
    `x-opts: &opts {type: none, o: bind, device: /}\n${withVolume('    driver_opts: *opts')}`,
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume driver_opts through a merge key',
    `x-opts: &opts {type: none, o: bind}\n${withVolume('    driver_opts: {<<: *opts, device: /}')}`,
    forbidden('volumes.data.driver_opts'),
  ],
  [
    'volume with a plugin driver',
    withVolume('    driver: local-persist'),
    forbidden('volumes.data.driver', /"local-persist" driver is a plugin/),
  ],
  [
    'volume with a plugin driver and options',
    withVolume('    driver: rexray/ebs\n    driver_opts: {size: "10"}'),
    forbidden('volumes.data.driver'),
  ],
  ['volume named like another stack’s', withVolume('    name: shop_data'), accepted('volumes.data.name')],
  [
    'volume external: another stack’s',
    withVolume('    external: true\n    name: shop_data'),
    forbidden('volumes.data.external'),
  ],
  [
    'volume external (legacy form)',
    withVolume('    external: {name: graphium_pgdata}'),
    forbidden('volumes.data.external'),
  ],
  [
    'volume with local driver and no options',
    withVolume('    driver: local'),
    accepted(undefined, (body) => assert.equal(body.spec.volumes[0].driver, 'local')),
  ],
  [
    'volume with labels forging ownership',
    withVolume('    labels: {io.graphium.stack: shop}'),
    accepted(/* the agent writes Graphium's labels over these */),
  ],

  // Networks: host interfaces, routes, addresses, docker0.
  [
    'network macvlan on the host interface',
    withNetwork('    driver: macvlan\n    driver_opts: {parent: eth0}'),
    forbidden('networks.lan.driver'),
  ],
  [
    'network ipvlan',
    withNetwork('    driver: ipvlan'),
    forbidden('networks.lan.driver', /"ipvlan" driver can put containers on the host's own networks/),
  ],
  ['network host driver', withNetwork('    driver: host'), forbidden('networks.lan.driver')],
  ['network overlay driver', withNetwork('    driver: overlay'), forbidden('networks.lan.driver')],
  [
    'network plugin driver',
    withNetwork('    driver: weaveworks/net-plugin:latest'),
    forbidden('networks.lan.driver'),
  ],
  [
    'network bridge with the host bridge name',
    withNetwork('    driver: bridge\n    driver_opts: {com.docker.network.bridge.name: docker0}'),
    forbidden('networks.lan.driver_opts'),
  ],
  [
    'network bridge without masquerade',
    withNetwork('    driver_opts: {com.docker.network.bridge.enable_ip_masquerade: "false"}'),
    forbidden('networks.lan.driver_opts'),
  ],
  [
    'network bound to a host address',
    withNetwork('    driver_opts: {com.docker.network.bridge.host_binding_ipv4: 10.0.0.1}'),
    forbidden('networks.lan.driver_opts'),
  ],
  [
    'network subnet over the host LAN',
    withNetwork('    ipam: {config: [{subnet: 192.168.1.0/24}]}'),
    forbidden('networks.lan.ipam.config[0].subnet'),
  ],
  [
    'network subnet over the default route',
    withNetwork('    ipam: {config: [{subnet: 0.0.0.0/1}]}'),
    forbidden('networks.lan.ipam.config[0].subnet'),
  ],
  [
    'network gateway chosen',
    withNetwork('    ipam: {config: [{subnet: 10.9.0.0/16, gateway: 10.9.0.1}]}'),
    forbidden('networks.lan.ipam.config[0].subnet'),
  ],
  [
    'network ip_range chosen',
    withNetwork('    ipam: {config: [{ip_range: 172.17.0.0/24}]}'),
    forbidden('networks.lan.ipam.config[0].ip_range'),
  ],
  [
    'network IPv6 subnet',
    withNetwork('    enable_ipv6: true\n    ipam: {config: [{subnet: "fd00::/64"}]}'),
    forbidden('networks.lan.ipam.config[0].subnet'),
  ],
  ['network IPAM plugin', withNetwork('    ipam: {driver: infoblox}'), forbidden('networks.lan.ipam.driver')],
  ['network IPAM default driver', withNetwork('    ipam: {driver: default}'), accepted()],
  [
    'network external: Graphium’s own',
    withNetwork('    external: true\n    name: graphium_default'),
    forbidden('networks.lan.external'),
  ],
  [
    'network named like another stack’s',
    withNetwork('    name: shop_default'),
    accepted('networks.lan.name'),
  ],
  [
    'network labels forging ownership',
    withNetwork('    labels: {io.graphium.stack: shop}'),
    accepted(/* the agent writes Graphium's labels over these */),
  ],
  [
    'fixed IPv4 address',
    withNetwork('    driver: bridge', 'networks:\n  lan: {ipv4_address: 172.17.0.1}'),
    forbidden('services.app.networks.lan.ipv4_address'),
  ],
  [
    'fixed IPv6 address',
    withNetwork('    enable_ipv6: true', 'networks:\n  lan: {ipv6_address: "fd00::1"}'),
    forbidden('services.app.networks.lan.ipv6_address'),
  ],
  [
    'network_mode bridge (docker0)',
    app('network_mode: bridge'),
    forbidden('services.app.network_mode', /docker0/),
  ],
  ['network_mode host', app('network_mode: host'), forbidden('services.app.network_mode')],
  [
    'network_mode of another service',
    `${app('network_mode: "service:db"')}  db: {image: busybox:1.36}\n`,
    invalid('services.app.network_mode'),
  ],
  [
    'network_mode of another stack’s container',
    app('network_mode: "container:shop_db_1"'),
    invalid('services.app.network_mode'),
  ],
  [
    'network_mode of an unknown kind',
    app('network_mode: "ns:/proc/1/ns/net"'),
    invalid('services.app.network_mode'),
  ],
  ['network_mode none', app('network_mode: none'), accepted()],
  [
    'links to a container outside the stack',
    app('external_links: [shop_db_1]'),
    invalid('services.app.external_links'),
  ],

  // Names of other stacks and of Graphium.
  [
    'container_name of another stack’s container',
    app('container_name: shop_web_1'),
    forbidden('services.app.container_name', /starting with "h\d+_"/),
  ],
  [
    'container_name of a Compose v2 style name',
    app('container_name: shop-web-1'),
    forbidden('services.app.container_name'),
  ],
  [
    'container_name of the control plane',
    app('container_name: graphium-api-1'),
    forbidden('services.app.container_name'),
  ],
  ['container_name of Temporal', app('container_name: temporal'), forbidden('services.app.container_name')],
  [
    'container_name under a longer stack’s prefix',
    app('container_name: h0-web_app_1'),
    forbidden('services.app.container_name'),
  ],
  [
    'container_name through a variable',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation, as users write it
    app('container_name: ${NAME:-postgres}'),
    forbidden('services.app.container_name'),
  ],
  [
    'container_name of its own stack',
    app('container_name: h{row}_app'),
    accepted(undefined, (body) => assert.match(body.spec.services[0].containerName, /^h\d+_app$/)),
  ],
  [
    'container_name with replicas',
    app('container_name: h{row}_app\ndeploy: {replicas: 2}'),
    invalid('services.app.container_name'),
  ],
  [
    'image of a build naming another image',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36"}\n    image: postgres:16\n`,
    accepted('services.app.image', (body) => assert.equal(body.spec.services[0].image, '')),
  ],
  [
    'image of a build naming Graphium',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36"}\n    image: graphium:latest\n`,
    accepted('services.app.image'),
  ],
  [
    'image of a build naming another stack’s build',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36"}\n    image: shop-web:0123456789ab\n`,
    accepted('services.app.image'),
  ],
  [
    'image of a build naming a registry image',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36"}\n    image: ghcr.io/acme/api:1\n`,
    accepted('services.app.image'),
  ],
  [
    'image of a build under the stack’s name on Docker Hub (stack library: library/postgres)',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36"}\n    image: h{row}/app:1\n`,
    accepted('services.app.image', (body) => assert.equal(body.spec.services[0].image, '')),
  ],
  [
    'image of a build in its own namespace',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36"}\n    image: graphium.local/h{row}/app:1\n`,
    accepted(undefined, (body) =>
      assert.match(body.spec.services[0].image, /^graphium\.local\/h\d+\/app:1$/),
    ),
  ],
  [
    'build tags',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36", tags: ["postgres:16"]}\n`,
    accepted('services.app.build.tags'),
  ],
  [
    '`name: graphium` (a default only)',
    `name: graphium\n${app('command: ["true"]')}`,
    accepted(undefined, (body) => assert.match(body.name, /^h\d+$/)),
  ],

  // Host power: privileges, capabilities, devices, namespaces, kernel settings.
  ['privileged', app('privileged: true'), forbidden('services.app.privileged')],
  ['privileged as a string', app('privileged: "true"'), forbidden('services.app.privileged')],
  ['cap_add SYS_ADMIN', app('cap_add: [SYS_ADMIN]'), forbidden('services.app.cap_add')],
  ['cap_add ALL', app('cap_add: [ALL]'), forbidden('services.app.cap_add')],
  ['cap_add NET_ADMIN', app('cap_add: [NET_ADMIN]'), forbidden('services.app.cap_add')],
  ['cap_add lower case', app('cap_add: [sys_ptrace]'), forbidden('services.app.cap_add')],
  ['devices: the host disk', app('devices: ["/dev/sda:/dev/sda"]'), forbidden('services.app.devices')],
  ['devices: FUSE', app('devices: ["/dev/fuse"]'), forbidden('services.app.devices')],
  [
    'devices: long form',
    app('devices: [{source: /dev/kmsg, target: /dev/kmsg, permissions: rwm}]'),
    forbidden('services.app.devices'),
  ],
  [
    'device_cgroup_rules',
    app('device_cgroup_rules: ["a *:* rwm"]'),
    invalid('services.app.device_cgroup_rules'),
  ],
  ['gpus', app('gpus: all'), invalid('services.app.gpus')],
  ['pid host', app('pid: host'), forbidden('services.app.pid')],
  ['pid of another stack’s container', app('pid: "container:shop_db_1"'), invalid('services.app.pid')],
  ['ipc host', app('ipc: host'), forbidden('services.app.ipc')],
  [
    'ipc of another service',
    `${app('ipc: "service:db"')}  db: {image: busybox:1.36}\n`,
    invalid('services.app.ipc'),
  ],
  ['userns_mode host', app('userns_mode: host'), forbidden('services.app.userns_mode')],
  ['uts host', app('uts: host'), invalid('services.app.uts')],
  ['cgroup host', app('cgroup: host'), accepted('services.app.cgroup')],
  ['cgroup_parent of the host', app('cgroup_parent: /system.slice'), accepted('services.app.cgroup_parent')],
  [
    'security_opt seccomp unconfined',
    app('security_opt: ["seccomp:unconfined"]'),
    forbidden('services.app.security_opt'),
  ],
  [
    'security_opt apparmor unconfined',
    app('security_opt: ["apparmor=unconfined"]'),
    forbidden('services.app.security_opt'),
  ],
  [
    'security_opt SELinux disable',
    app('security_opt: ["label=disable"]'),
    forbidden('services.app.security_opt'),
  ],
  ['sysctls as a mapping', app('sysctls: {net.ipv4.ip_forward: 1}'), forbidden('services.app.sysctls')],
  ['sysctls as a list', app('sysctls: ["kernel.shm_rmid_forced=1"]'), forbidden('services.app.sysctls')],
  ['runtime of the host', app('runtime: runc-unsafe'), accepted('services.app.runtime')],
  ['oom_kill_disable', app('oom_kill_disable: true'), accepted('services.app.oom_kill_disable')],
  ['use_api_socket', app('use_api_socket: true'), invalid('services.app.use_api_socket')],
  ['storage_opt', app('storage_opt: {size: 1T}'), accepted('services.app.storage_opt')],

  // Binds: absolute, traversal, home, propagation, tmpfs.
  ['bind of the host root', app('volumes: ["/:/host"]'), forbidden('services.app.volumes[0]')],
  [
    'data bind inside a writable one (a link planted there is followed at a restart)',
    app('volumes: ["./d:/d", "./d/root:/host"]'),
    forbidden('services.app.volumes', /lies inside "\.\/d"/),
  ],
  [
    'data bind inside another service’s writable one',
    `services:\n  writer:\n    image: busybox:1.36\n    volumes: ["./d:/d"]\n  reader:\n    image: busybox:1.36\n    volumes: ["./d/root:/host:ro"]\n`,
    forbidden('services.reader.volumes'),
  ],
  ['data binds side by side', app('volumes: ["./data:/data", "./logs:/logs"]'), accepted()],
  [
    'bind of the Docker socket',
    app('volumes: ["/var/run/docker.sock:/var/run/docker.sock"]'),
    forbidden('services.app.volumes[0]'),
  ],
  ['bind of /etc read-only', app('volumes: ["/etc:/host-etc:ro"]'), forbidden('services.app.volumes[0]')],
  ['bind of /proc', app('volumes: ["/proc:/host-proc"]'), forbidden('services.app.volumes[0]')],
  [
    'bind long form of the host root',
    app('volumes: [{type: bind, source: /, target: /host}]'),
    forbidden('services.app.volumes[0]'),
  ],
  [
    'bind long form with create_host_path',
    app('volumes: [{type: bind, source: /root/.ssh, target: /s, bind: {create_host_path: true}}]'),
    forbidden('services.app.volumes[0]'),
  ],
  [
    'bind with rshared propagation',
    app('volumes: ["/mnt:/mnt:rshared"]'),
    forbidden('services.app.volumes[0]'),
  ],
  [
    'bind long form with propagation',
    app('volumes: [{type: bind, source: /mnt, target: /mnt, bind: {propagation: rshared}}]'),
    forbidden('services.app.volumes[0]'),
  ],
  [
    'bind ../ out of the project',
    app('volumes: ["../:/up"]'),
    invalid('services.app.volumes[0]', /outside the project directory/),
  ],
  [
    'bind ./../../ out of the project',
    app('volumes: ["./../../etc:/etc2"]'),
    invalid('services.app.volumes[0]', /outside the project directory/),
  ],
  [
    'bind long form ../',
    app('volumes: [{type: bind, source: ../secrets, target: /s}]'),
    invalid('services.app.volumes[0]', /outside the project directory/),
  ],
  [
    'bind of a path that climbs back',
    app('volumes: ["./a/../../b:/b"]'),
    invalid('services.app.volumes[0]', /outside the project directory/),
  ],
  [
    'bind of another user’s home',
    app('volumes: ["~root/.ssh:/s"]'),
    invalid('services.app.volumes[0]', /another user's home directory/),
  ],
  [
    'bind of the home directory',
    app('volumes: ["~/.ssh:/s"]'),
    accepted('services.app.volumes[0]', (body) =>
      assert.equal(body.spec.services[0].mounts[0].type, 'stack-data'),
    ),
  ],
  [
    'bind through a variable to the root',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation, as users write it
    app('volumes: ["${HOSTDIR:-/}:/host"]'),
    forbidden('services.app.volumes[0]'),
  ],
  [
    'bind of a relative path under the project',
    app('volumes: ["./data:/data"]'),
    accepted(undefined, (body) => assert.equal(body.spec.services[0].mounts[0].type, 'stack-data')),
  ],
  [
    'named volume of an undeclared name',
    app('volumes: ["shop_data:/data"]'),
    invalid('services.app.volumes[0]', /not declared/),
  ],
  [
    'volume type npipe',
    app('volumes: [{type: npipe, source: //./pipe/docker_engine, target: //./pipe/x}]'),
    invalid('services.app.volumes[0].type'),
  ],
  [
    'volume type cluster',
    app('volumes: [{type: cluster, source: x, target: /x}]'),
    invalid('services.app.volumes[0].type'),
  ],
  [
    'volume type image',
    app('volumes: [{type: image, source: alpine, target: /img}]'),
    invalid('services.app.volumes[0].type'),
  ],
  [
    'volume subpath escape',
    `${app('volumes: [{type: volume, source: data, target: /d, volume: {subpath: ../../}}]')}volumes:\n  data: {}\n`,
    invalid('services.app.volumes[0].volume.subpath'),
  ],
  [
    'volumes_from another stack’s container',
    app('volumes_from: ["container:shop_db_1"]'),
    invalid('services.app.volumes_from'),
  ],
  ['tmpfs with exec and a huge size', app('tmpfs: ["/run:exec,size=1000g"]'), accepted()],
  [
    'tmpfs with an unknown option',
    app('tmpfs: ["/run:uid=0,nr_inodes=0"]'),
    invalid('services.app.tmpfs[0]'),
  ],
  ['tmpfs over a relative target', app('tmpfs: ["run"]'), invalid('services.app.tmpfs[0]')],

  // Labels: Graphium's ownership labels are reserved.
  [
    'label forging the stack',
    app('labels: {io.graphium.stack: shop}'),
    invalid('services.app.labels.io.graphium.stack', /reserved/),
  ],
  [
    'label forging the host',
    app('labels: ["io.graphium.host=vm2"]'),
    invalid('services.app.labels.io.graphium.host', /reserved/),
  ],
  [
    'label forging upper case',
    app('labels: {IO.GRAPHIUM.STACK: shop}'),
    accepted(/* labels are case-sensitive: not Graphium's */),
  ],
  [
    'build label forging the stack',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36", labels: {io.graphium.stack: shop}}\n`,
    accepted(/* image only: containers get Graphium's io.graphium.* labels over the image's */),
  ],

  // Files outside the project: env files, includes, extends, secrets, configs, build contexts.
  [
    'env_file of the host',
    app('env_file: [/etc/passwd]'),
    invalid('services.app.env_file[0]', /outside the project directory/),
  ],
  [
    'env_file ../',
    app('env_file: [../.env]'),
    invalid('services.app.env_file[0]', /outside the project directory/),
  ],
  [
    'env_file long form of the host',
    app('env_file: [{path: /proc/self/environ, required: true}]'),
    invalid('services.app.env_file[0]', /outside the project directory/),
  ],
  ['label_file of the host', app('label_file: /etc/hostname'), invalid('services.app.label_file')],
  ['include of the host', `include: [/etc/compose.yaml]\n${app('command: ["true"]')}`, invalid('include[0]')],
  ['include ../', `include: [../other/compose.yaml]\n${app('command: ["true"]')}`, invalid('include[0]')],
  [
    'include of a URL',
    `include: ["https://example.com/compose.yaml"]\n${app('command: ["true"]')}`,
    invalid('', /not found in the project/),
  ],
  [
    'extends a file of the host',
    app('extends: {file: /etc/compose.yaml, service: web}'),
    invalid('services.app.extends.file', /outside the project directory/),
  ],
  [
    'extends a file above the project',
    app('extends: {file: ../base.yaml, service: web}'),
    invalid('services.app.extends.file', /outside the project directory/),
  ],
  ['extends itself', app('extends: {service: app}'), invalid('services.app.extends')],
  [
    'secret file of the host',
    app('secrets: [key]', 'secrets:\n  key: {file: /etc/shadow}\n'),
    invalid('secrets.key.file'),
  ],
  [
    'secret file ../',
    app('secrets: [key]', 'secrets:\n  key: {file: ../../id_rsa}\n'),
    invalid('secrets.key.file'),
  ],
  [
    'secret external',
    app('secrets: [key]', 'secrets:\n  key: {external: true}\n'),
    invalid('secrets.key.external'),
  ],
  [
    'secret of a driver',
    app('secrets: [key]', 'secrets:\n  key: {file: ./k, driver: vault}\n'),
    invalid('secrets.key.driver'),
  ],
  [
    'secret target over a host-looking path',
    app('secrets: [{source: key, target: /etc/shadow}]', 'secrets:\n  key: {environment: HOME_KEY}\n'),
    invalid('secrets.key.environment'),
  ],
  [
    'config file of the host',
    app('configs: [c]', 'configs:\n  c: {file: /etc/passwd}\n'),
    invalid('configs.c.file'),
  ],
  ['config file ../', app('configs: [c]', 'configs:\n  c: {file: ../c.conf}\n'), invalid('configs.c.file')],
  [
    'config external',
    app('configs: [c]', 'configs:\n  c: {external: true}\n'),
    invalid('configs.c.external'),
  ],
  ['build context of the host', `services:\n  app:\n    build: /\n`, invalid('services.app.build.context')],
  ['build context ../', `services:\n  app:\n    build: ../\n`, invalid('services.app.build.context')],
  [
    'build context of a URL',
    `services:\n  app:\n    build: "https://github.com/acme/app.git#main"\n`,
    invalid('services.app.build.context'),
  ],
  [
    'build Dockerfile outside the context',
    `services:\n  app:\n    build: {context: ., dockerfile: ../Dockerfile}\n`,
    invalid('services.app.build.dockerfile'),
  ],
  [
    'build additional context of the host',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36", additional_contexts: {root: /}}\n`,
    invalid('services.app.build.additional_contexts'),
  ],
  [
    'build entitlements',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36", entitlements: [security.insecure]}\n`,
    invalid('services.app.build.entitlements'),
  ],
  [
    'build privileged',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36", privileged: true}\n`,
    invalid('services.app.build.privileged'),
  ],
  [
    'build ssh agent',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36", ssh: [default]}\n`,
    invalid('services.app.build.ssh'),
  ],
  [
    'build network host',
    `services:\n  app:\n    build: {context: ., dockerfile_inline: "FROM busybox:1.36", network: host}\n`,
    accepted('services.app.build.network'),
  ],

  // Parser tricks.
  ['YAML alias bomb (billion laughs)', BILLION_LAUGHS, invalid('')],
  [
    'YAML custom tag (a plain string to the loader)',
    `services:\n  app:\n    image: !!js/function "function(){}"\n`,
    accepted(undefined, (body) => assert.equal(body.spec.services[0].image, 'function(){}')),
  ],
  [
    'two documents in one file',
    `${app('command: ["true"]')}---\nservices:\n  app: {image: busybox, privileged: true}\n`,
    invalid(''),
  ],
  [
    'a privileged service behind an inactive profile',
    `${app('command: ["true"]')}  root:\n    image: busybox:1.36\n    privileged: true\n    profiles: [debug]\n`,
    accepted(),
  ],
  [
    'privileged through an extension merge',
    `x-root: &root {privileged: true}\nservices:\n  app:\n    <<: *root\n    image: busybox:1.36\n`,
    forbidden('services.app.privileged'),
  ],
  [
    'privileged through extends in the same file',
    `services:\n  base: {image: busybox:1.36, privileged: true}\n  app: {extends: {service: base}}\n`,
    forbidden('services.app.privileged'),
  ],
  [
    'jobs',
    `${app('command: ["true"]')}jobs:\n  j: {image: busybox, triggers: {manual: true}}\n`,
    invalid('jobs'),
  ],
  ['models', `${app('command: ["true"]')}models:\n  m: {model: ai/x}\n`, invalid('models')],
  [
    'provider service',
    'services:\n  app:\n    provider: {type: model, options: {model: ai/x}}\n',
    invalid('services.app.provider'),
  ],
  [
    'lifecycle hook as root',
    app('post_start: [{command: ["chmod", "u+s", "/bin/sh"], user: root, privileged: true}]'),
    invalid('services.app.post_start'),
  ],
];

describe('hostile Compose documents through the API, as a deployer', () => {
  let api: TestApi;

  before(async () => {
    api = await createTestApi(await useInfra());
  });
  after(() => api?.close());

  it(`answers each of the ${HOSTILE.length} documents as the table says`, async () => {
    assert.ok(HOSTILE.length >= 100, `${HOSTILE.length} documents`);
    const wrong: string[] = [];
    for (const [row, [what, template, expected]] of HOSTILE.entries()) {
      const name = `h${row}`;
      const yaml = template.replaceAll('h{row}', name);
      const response = await api.request('POST', `/stacks?name=${name}`, {
        token: api.tokens.deployer,
        body: yaml,
        headers: { 'content-type': 'application/yaml' },
      });
      const body = await json(response);
      const got = `${response.status} ${JSON.stringify(body).slice(0, 400)}`;
      const fail = (why: string) => wrong.push(`#${row} ${what}: ${why}; got ${got}`);
      if (response.status !== expected.status) {
        fail(`expected ${expected.status}`);
        continue;
      }
      if (expected.status === 201) {
        const warnings = (body.warnings as { path: string }[]).map((w) => w.path);
        if (expected.warning && !warnings.includes(expected.warning))
          fail(`expected a warning at ${expected.warning}`);
        try {
          expected.check?.(body);
        } catch (error) {
          fail((error as Error).message);
        }
        continue;
      }
      const code = expected.status === 403 ? 'forbidden' : 'invalid_compose';
      const issues = (body.error?.details?.issues ?? []) as { path: string; message: string }[];
      if (body.error?.code !== code && !(expected.path === '' && body.error?.code === 'invalid_request'))
        fail(`expected error code ${code}`);
      else if (expected.path !== '' && !issues.some((issue) => issue.path === expected.path))
        fail(`expected an issue at ${expected.path}`);
      else if (expected.match && !expected.match.test(body.error.message))
        fail(`expected the message to match ${expected.match}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('an installation’s GRAPHIUM_COMPOSE_POLICY still opens the new admin-only keys to deployers', async () => {
    const policy = parseRolePolicy({
      rules: {
        'volumes.*.driver_opts': 'deployer',
        'networks.*.driver': { deployer: ['macvlan'] },
        'services.*.network_mode': { deployer: ['bridge'] },
        'services.*.container_name': { deployer: ['legacy-db'] },
      },
    });
    assert.ok(policy instanceof RolePolicy, String(policy));
    const open = await createTestApi(await useInfra(), { deps: { composePolicy: policy } });
    try {
      const send = (name: string, yaml: string) =>
        open.request('POST', `/stacks?name=${name}`, {
          token: open.tokens.deployer,
          body: yaml,
          headers: { 'content-type': 'application/yaml' },
        });
      for (const [name, yaml] of [
        ['opts', HOSTILE[0]![1]],
        ['mac', withNetwork('    driver: macvlan')],
        ['bridge', app('network_mode: bridge')],
        ['legacy', app('container_name: legacy-db')],
      ] as const) {
        const response = await send(name, yaml);
        assert.equal(response.status, 201, `${name}: ${await response.text()}`);
      }
      // Values not opened keep the default.
      const ipvlan = await send('ipvlan', withNetwork('    driver: ipvlan'));
      assert.equal(ipvlan.status, 403);
      const other = await send('other', app('container_name: shop_web_1'));
      assert.equal(other.status, 403);
    } finally {
      await open.close();
    }
  });
});
