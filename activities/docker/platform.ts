import { ApplicationFailure } from '@temporalio/activity';
import { PLATFORM_MISMATCH } from '../../workflows/errors.js';
import { bounded } from './deadline.js';
import type { HostDocker } from './host-docker.js';

// A service's `platform` against the host's daemon, checked before anything is created on the host:
// a container of another architecture would only fail later, with an "exec format error".

/** `docker info` reports the kernel's names (uname -m); images use Go's (GOARCH). */
const GO_ARCH: Record<string, string> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
  armv7l: 'arm',
  armv6l: 'arm',
  armhf: 'arm',
  i386: '386',
  i686: '386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** `os/arch[/variant]` → `os/arch`, lower case; the variant is left to the registry's choice. */
export function platformOf(text: string): string {
  const [os = '', arch = ''] = text.toLowerCase().split('/');
  return `${os}/${GO_ARCH[arch] ?? arch}`;
}

/** The platforms of `platforms` this daemon cannot run; empty when all match. */
export function mismatchedPlatforms(platforms: string[], daemon: { OSType: string; Architecture: string }) {
  const own = platformOf(`${daemon.OSType}/${daemon.Architecture}`);
  return { own, wrong: [...new Set(platforms)].filter((platform) => platformOf(platform) !== own) };
}

export async function checkPlatforms(host: HostDocker, platforms: string[] | undefined): Promise<void> {
  if (!platforms || platforms.length === 0) return;
  const info = await bounded('docker info', () => host.docker.info());
  const { own, wrong } = mismatchedPlatforms(platforms, info);
  if (wrong.length === 0) return;
  throw ApplicationFailure.create({
    type: PLATFORM_MISMATCH,
    nonRetryable: true,
    message: `host ${host.hostId} runs ${own}, not ${wrong.join(', ')} (the services' platform): place those services on a host of that platform`,
  });
}
