import type Docker from 'dockerode';
import type { MountSpec, ServiceSpec } from '../../stack/types.js';
import type { HostFiles } from './file-mounts.js';

// Compose mounts as the Engine API takes them. Options appear only when the spec sets them, so the
// definition (and its config hash) of a container that uses none is what it always was.

export interface DockerMounts {
  Mounts: Docker.MountSettings[];
  /** Binds whose missing source the daemon must create (Compose short syntax, `create_host_path`). */
  Binds?: string[];
}

export function dockerMounts(
  service: ServiceSpec,
  volumes: Record<string, string>,
  hostFiles: HostFiles,
): DockerMounts {
  const mounts: Docker.MountSettings[] = [];
  const binds: string[] = [];
  for (const [index, mount] of service.mounts.entries()) {
    if (mount.type === 'bind' && mount.createHostPath) {
      // The Mount API (1.41) refuses a missing bind source; the legacy Binds form creates it.
      binds.push(`${mount.source}:${mount.target}${mount.readOnly ? ':ro' : ''}`);
      continue;
    }
    mounts.push(dockerMount(mount, volumes, hostFiles.mountSources.get(index)));
  }
  for (const file of hostFiles.fileMounts) {
    mounts.push({ Type: 'bind', Source: file.source, Target: file.target, ReadOnly: true });
  }
  return { Mounts: mounts, Binds: binds.length > 0 ? binds : undefined };
}

function dockerMount(
  mount: MountSpec,
  volumes: Record<string, string>,
  hostPath: string | undefined,
): Docker.MountSettings {
  const common = { Target: mount.target, ReadOnly: mount.readOnly };
  switch (mount.type) {
    case 'volume':
      return {
        Type: 'volume',
        // An empty source is an anonymous volume: Docker names it.
        Source: volumes[mount.source] ?? mount.source,
        ...common,
        ...(mount.noCopy ? { VolumeOptions: { NoCopy: true } as Docker.MountSettings['VolumeOptions'] } : {}),
      };
    case 'tmpfs': {
      const options =
        mount.tmpfsSizeBytes !== undefined || mount.tmpfsMode !== undefined
          ? { SizeBytes: mount.tmpfsSizeBytes, Mode: mount.tmpfsMode }
          : undefined;
      return {
        Type: 'tmpfs',
        Source: mount.source,
        ...common,
        ...(options ? { TmpfsOptions: options as Docker.MountSettings['TmpfsOptions'] } : {}),
      };
    }
    case 'bundle':
      // A stack version's files, shared by its replicas and the source of its secrets: never written
      // by a container, whatever the bind says (writable data belongs in stack-data directories).
      return { Type: 'bind', Source: hostPath ?? mount.source, ...common, ReadOnly: true };
    case 'stack-data':
      return { Type: 'bind', Source: hostPath ?? mount.source, ...common };
    default:
      return { Type: 'bind', Source: mount.source, ...common };
  }
}
