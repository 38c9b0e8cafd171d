import type Docker from 'dockerode';
import type { ServiceSpec } from '../../stack/types.js';

// The Compose keys that tune a container's runtime, as Engine API fields. A key the service does not
// set maps to undefined (left out of the body and of the config hash); so does an empty list, which
// Docker reads as "not set" anyway.

const list = <T>(values: T[] | undefined): T[] | undefined =>
  values && values.length > 0 ? values : undefined;
const record = <T>(values: Record<string, T> | undefined): Record<string, T> | undefined =>
  values && Object.keys(values).length > 0 ? values : undefined;

/** Fields of the create body itself. */
export function containerFields(service: ServiceSpec) {
  return {
    Hostname: service.hostname,
    Domainname: service.domainname,
    User: service.user,
    WorkingDir: service.workingDir,
    OpenStdin: service.stdinOpen,
    Tty: service.tty,
  };
}

/** Fields of HostConfig. */
export function hostConfigFields(service: ServiceSpec): Partial<Docker.HostConfig> {
  const resources = service.resources ?? {};
  return {
    ExtraHosts: list(service.extraHosts),
    Dns: list(service.dns),
    DnsSearch: list(service.dnsSearch),
    DnsOptions: list(service.dnsOpt),
    CapAdd: list(service.capAdd),
    CapDrop: list(service.capDrop),
    Sysctls: record(service.sysctls),
    Ulimits: service.ulimits
      ? list(
          Object.entries(service.ulimits).map(([name, limit]) => ({
            Name: name,
            Soft: limit.soft,
            Hard: limit.hard,
          })),
        )
      : undefined,
    ShmSize: service.shmSizeBytes,
    Init: service.init,
    ReadonlyRootfs: service.readOnly,
    Privileged: service.privileged,
    Devices: service.devices
      ? list(
          service.devices.map((device) => ({
            PathOnHost: device.pathOnHost,
            PathInContainer: device.pathInContainer,
            CgroupPermissions: device.permissions,
          })),
        )
      : undefined,
    PidMode: service.pid,
    IpcMode: service.ipc,
    SecurityOpt: list(service.securityOpt),
    UsernsMode: service.usernsMode,
    GroupAdd: list(service.groupAdd),
    LogConfig: service.logging
      ? { Type: service.logging.driver ?? '', Config: service.logging.options ?? {} }
      : undefined,
    Memory: resources.memoryBytes,
    MemoryReservation: resources.memoryReservationBytes,
    MemorySwap: resources.memorySwapBytes,
    NanoCpus: resources.nanoCpus,
    CpuShares: resources.cpuShares,
    CpusetCpus: resources.cpusetCpus,
    PidsLimit: resources.pidsLimit,
  };
}

/** `expose` entries (`3000`, `53/udp`, `8000-8002`) as ExposedPorts keys. */
export function exposedPorts(service: ServiceSpec): string[] {
  return (service.expose ?? []).flatMap((entry) => {
    const [ports = '', protocol = 'tcp'] = entry.split('/');
    const [first, last = first] = ports.split('-').map(Number);
    if (!Number.isInteger(first) || !Number.isInteger(last) || last! < first!)
      return [`${ports}/${protocol}`];
    return Array.from({ length: last! - first! + 1 }, (_, i) => `${first! + i}/${protocol}`);
  });
}
