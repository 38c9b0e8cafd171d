import { heartbeat } from '@temporalio/activity';
import type Docker from 'dockerode';
import {
  LABEL_DEPLOYMENT,
  LABEL_HOST,
  LABEL_REPLICA,
  LABEL_SERVICE,
  LABEL_STACK,
} from '../../contracts/vocabulary.js';
import { serviceImage } from '../../stack/names.js';
import { describeDifference } from './container-drift.js';
import { buildCreateOptions } from './container-spec.js';
import { bounded } from './deadline.js';
import { messageOf } from './errors.js';
import { resolveHostFiles } from './file-mounts.js';
import type { HostDocker } from './host-docker.js';
import type { DriftInventory, DriftInventoryInput, InventoriedContainer } from './types.js';

// A reconcile's look at one host (a deploy's own look, which compares config hashes, is
// inventoryStack in replicas.ts): every container carrying the stack's label (whichever host label
// it has, so one created for an unknown host shows up too), and for each one the deployed version
// places here, whether it still has the definition that version gives it.

const nameOf = (info: Docker.ContainerInfo) => (info.Names[0] ?? info.Id).replace(/^\//, '');

export async function driftInventory(host: HostDocker, input: DriftInventoryInput): Promise<DriftInventory> {
  const listed = await bounded('listing containers', (abortSignal) =>
    host.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_STACK}=${input.stack}`] },
      abortSignal,
    }),
  );
  const expected = new Map(input.expected.map((request) => [request.name, request]));
  const containers: InventoriedContainer[] = [];
  for (const info of listed.sort((a, b) => nameOf(a).localeCompare(nameOf(b)))) {
    const name = nameOf(info);
    const hostLabel = info.Labels[LABEL_HOST] ?? '';
    const container: InventoriedContainer = {
      containerId: info.Id,
      name,
      service: info.Labels[LABEL_SERVICE] ?? '',
      replica: Number(info.Labels[LABEL_REPLICA] ?? 0),
      deploymentId: info.Labels[LABEL_DEPLOYMENT] ?? '',
      image: info.Image,
      state: info.State,
      hostLabel,
    };
    const request = hostLabel === host.hostId ? expected.get(name) : undefined;
    if (request) {
      heartbeat({ checking: name });
      const inspected = await host.inspect(info.Id);
      if (inspected) {
        container.exitCode = inspected.State.ExitCode;
        const difference = await differenceFrom(host, request, inspected);
        if (difference) container.difference = difference;
      }
    }
    containers.push(container);
  }
  return { containers };
}

/** How the container differs from what the deployed version defines, or undefined. */
async function differenceFrom(
  host: HostDocker,
  request: DriftInventoryInput['expected'][number],
  existing: Docker.ContainerInspectInfo,
): Promise<string | undefined> {
  const reference = serviceImage(request.stack, request.service);
  const image = await host.inspectImage(reference);
  if (!image) return `its image ${reference} is no longer on the host`;
  try {
    const hostFiles = await resolveHostFiles(host.files, request);
    return describeDifference(existing, buildCreateOptions(request, host.hostId, image.Id, hostFiles), image);
  } catch (error) {
    return `its files cannot be laid out: ${messageOf(error)}`;
  }
}
