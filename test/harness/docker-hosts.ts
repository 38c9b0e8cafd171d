import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { DaemonProbe } from './daemon.js';
import { waitFor } from './ports.js';

export const TEST_IMAGE = 'graphium-test/busybox:1';
const BUSYBOX_APPLETS = [
  'sh',
  'sleep',
  'httpd',
  'wget',
  'echo',
  'cat',
  'ls',
  'true',
  'false',
  'env',
  'ps',
  'kill',
];

/** One Docker "host" for tests: its own dockerd with its own socket and data root. */
export interface TestDockerHost {
  index: number;
  socketPath: string;
  dockerHost: string;
  dir: string;
}

export interface DockerHostsHandle {
  hosts: TestDockerHost[];
  /** True when every logical host shares one daemon (no root or no dockerd here). */
  shared: boolean;
  stop(): Promise<void>;
}

export function canRunDockerd(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('dockerd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `count` independent dockerd daemons under `baseDir` and imports the busybox test image
 * into each. Every daemon is stopped by `stop()` (the caller runs it on success and on failure).
 */
export async function startDockerHosts(
  count: number,
  baseDir: string,
  pool = SHARED_POOL,
): Promise<DockerHostsHandle> {
  if (!canRunDockerd()) return sharedLocalDaemon(count);
  mkdirSync(baseDir, { recursive: true });
  const started: { host: TestDockerHost; child: ChildProcess }[] = [];
  const stop = async () => {
    await Promise.all(started.map(({ host, child }) => stopDaemon(host, child)));
  };
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const dir = join(baseDir, `host${i + 1}`);
        const entry = startDaemon(i + 1, dir, pool);
        started.push(entry);
        await waitFor(`dockerd in ${dir}`, () => new DaemonProbe(entry.host.socketPath).ping(), {
          timeoutMs: 60_000,
        });
      }),
    );
    const rootfsTar = buildBusyboxRootfs(baseDir);
    for (const { host } of started) await importTestImage(new DaemonProbe(host.socketPath), rootfsTar);
  } catch (error) {
    await stop();
    throw error;
  }
  return { hosts: started.map((s) => s.host).sort((a, b) => a.index - b.index), shared: false, stop };
}

/** The address pool of the runner's shared daemons (its first lane's); private ones (fault tests) take others. */
const SHARED_POOL = '10.213.0.0/16';

function startDaemon(
  index: number,
  dir: string,
  pool = SHARED_POOL,
): { host: TestDockerHost; child: ChildProcess } {
  mkdirSync(dir, { recursive: true });
  const socketPath = join(dir, 'docker.sock');
  const log = createWriteStream(join(dir, 'dockerd.log'), { flags: 'a' });
  // Its own key file gives each daemon its own engine ID (by default all share /etc/docker/key.json).
  const configFile = join(dir, 'daemon.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      'deprecated-key-path': join(dir, 'key.json'),
      // The daemons share the machine's network namespace, so their bridges share Docker's default
      // pools (31 networks in all): small subnets of a range of our own leave room for many stacks.
      'default-address-pools': [{ base: pool, size: 24 }],
    }),
  );
  // No bridge, no iptables: tests need no outside network, and several daemons must coexist.
  const child = spawn(
    'dockerd',
    [
      `--config-file=${configFile}`,
      '--iptables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--bridge=none',
      '--storage-driver=vfs',
      `--data-root=${join(dir, 'data')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--pidfile=${join(dir, 'docker.pid')}`,
      `--host=unix://${socketPath}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return { host: { index, socketPath, dockerHost: `unix://${socketPath}`, dir }, child };
}

async function stopDaemon(host: TestDockerHost, child: ChildProcess): Promise<void> {
  const pidFile = join(host.dir, 'docker.pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : child.pid;
  if (child.exitCode === null && child.signalCode === null) {
    await removeNetworks(new DaemonProbe(host.socketPath)).catch(() => {});
    const gone = new Promise((resolve) => child.once('exit', resolve));
    if (pid) process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  }
  rmSync(host.dir, { recursive: true, force: true, maxRetries: 3 });
}

function buildBusyboxRootfs(baseDir: string): string {
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((path) => existsSync(path));
  if (!busybox)
    throw new Error('busybox is missing: install busybox-static (apt-get install busybox-static)');
  const rootfs = join(baseDir, 'rootfs');
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  mkdirSync(join(rootfs, 'tmp'), { recursive: true });
  copyFileSync(busybox, join(rootfs, 'bin', 'busybox'));
  for (const applet of BUSYBOX_APPLETS) symlinkSync('busybox', join(rootfs, 'bin', applet));
  const tarFile = join(baseDir, 'rootfs.tar');
  execFileSync('tar', ['-C', rootfs, '-cf', tarFile, '.']);
  return tarFile;
}

async function importTestImage(probe: DaemonProbe, tarFile: string): Promise<void> {
  if (await probe.hasImage(TEST_IMAGE)) return;
  const [repo, tag] = TEST_IMAGE.split(':') as [string, string];
  await probe.importImage(createReadStream(tarFile), repo, tag, ['/bin/sh']);
}

/** Without root or dockerd, every logical host shares the local daemon; labels keep them apart. */
async function sharedLocalDaemon(count: number): Promise<DockerHostsHandle> {
  const socketPath = '/var/run/docker.sock';
  const probe = new DaemonProbe(socketPath);
  if (!(await probe.ping().catch(() => false))) {
    throw new Error('cannot start dockerd (needs root and docker.io) and no local Docker daemon answers');
  }
  if (!(await probe.hasImage(TEST_IMAGE))) {
    const dir = join('/tmp', `graphium-rootfs-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    await importTestImage(probe, buildBusyboxRootfs(dir));
  }
  process.stderr.write(
    `graphium tests: dockerd cannot run here; ${count} logical hosts share ${socketPath} (told apart by label)\n`,
  );
  const hosts = Array.from({ length: count }, (_, i) => ({
    index: i + 1,
    socketPath,
    dockerHost: `unix://${socketPath}`,
    dir: '',
  }));
  return { hosts, shared: true, stop: async () => {} };
}

/**
 * A network's bridge lives in the machine's namespace and outlives a stopped daemon whose data root
 * is then deleted: remove the networks (and the containers holding them) while the daemon can.
 */
async function removeNetworks(probe: DaemonProbe): Promise<void> {
  for (const container of await probe.containers()) await probe.removeContainer(container.id);
  for (const network of await probe.networks()) {
    if (!['bridge', 'host', 'none'].includes(network.Name)) await probe.removeNetwork(network.Id);
  }
}

/**
 * A dockerd of a test's own, which the test may stop, start again on the same data, or freeze: the
 * fault tests do to it what production does to a host's daemon. Its networks take `pool`, so they
 * never overlap the shared daemons' bridges.
 */
export class PrivateDaemon {
  private child: ChildProcess | undefined;
  readonly host: TestDockerHost;

  constructor(
    index: number,
    dir: string,
    private readonly pool: string,
  ) {
    this.host = {
      index,
      socketPath: join(dir, 'docker.sock'),
      dockerHost: `unix://${join(dir, 'docker.sock')}`,
      dir,
    };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    this.child = startDaemon(this.host.index, this.host.dir, this.pool).child;
    await waitFor(`dockerd in ${this.host.dir}`, () => new DaemonProbe(this.host.socketPath).ping(), {
      timeoutMs: 60_000,
    });
  }

  /** SIGTERM, as `systemctl stop docker` does: dockerd stops its containers and exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await gone;
    clearTimeout(timer);
  }

  /** SIGSTOP: the daemon holds every connection and answers nothing until thawed. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /** Thawed, its networks removed, stopped, its directory deleted (its log kept): nothing else stays. */
  async destroy(keepLogAs?: string): Promise<void> {
    if (keepLogAs && existsSync(join(this.host.dir, 'dockerd.log'))) {
      copyFileSync(join(this.host.dir, 'dockerd.log'), keepLogAs);
    }
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      this.thaw();
      await stopDaemon(this.host, child);
    } else rmSync(this.host.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** `count` private daemons with the test image, for tests that stop or freeze them. */
export async function startPrivateDaemons(
  count: number,
  baseDir: string,
  pool: string,
): Promise<PrivateDaemon[]> {
  mkdirSync(baseDir, { recursive: true });
  const daemons = Array.from(
    { length: count },
    (_, i) => new PrivateDaemon(i + 1, join(baseDir, `host${i + 1}`), pool),
  );
  try {
    await Promise.all(daemons.map((daemon) => daemon.start()));
    const rootfsTar = buildBusyboxRootfs(baseDir);
    for (const daemon of daemons) await importTestImage(new DaemonProbe(daemon.host.socketPath), rootfsTar);
  } catch (error) {
    await Promise.all(daemons.map((daemon) => daemon.destroy()));
    throw error;
  }
  return daemons;
}
