import { connectDocker } from '../activities/docker/client.js';

const BENCH_LABEL = 'io.graphium.bench';

/**
 * The baseline: the same containers created and started with plain Engine API calls, either
 * per host in parallel (`parallelPerHost` at once) or strictly one after another across all hosts
 * (`sequential`, the old push model looping over hosts). With `network`, each host first gets that
 * bridge network and every container is attached to it, as Compose and Graphium attach replicas
 * (the network's creation is timed, as Graphium's host preparation is). Returns the wall time in ms.
 */
export async function directDeploy(
  dockerHosts: string[],
  containers: number,
  options: { parallelPerHost: number; sequential?: boolean; image: string; network?: string },
): Promise<number> {
  const clients = dockerHosts.map((host) => connectDocker(host));
  const { network } = options;
  const perHost = clients.map((_, h) =>
    Array.from({ length: containers }, (_, i) => i).filter((i) => i % clients.length === h),
  );
  const one = async (h: number, i: number) => {
    const container = await clients[h]!.createContainer({
      name: `direct_app_${i + 1}`,
      Image: options.image,
      Cmd: ['sleep', '86400'],
      StopTimeout: 1,
      Labels: { [BENCH_LABEL]: 'direct' },
      HostConfig: { NetworkMode: network ?? 'none' },
      // As Compose and Graphium attach a replica: to the project's network, the service's name as alias.
      ...(network ? { NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ['app'] } } } } : {}),
    });
    await container.start();
  };
  const started = Date.now();
  if (network) {
    await Promise.all(
      clients.map((docker) =>
        docker.createNetwork({ Name: network, Driver: 'bridge', Labels: { [BENCH_LABEL]: 'direct' } }),
      ),
    );
  }
  if (options.sequential) {
    for (let i = 0; i < containers; i++) await one(i % clients.length, i);
  } else {
    await Promise.all(
      perHost.map(async (indexes, h) => {
        const queue = [...indexes];
        await Promise.all(
          Array.from({ length: options.parallelPerHost }, async () => {
            for (let i = queue.shift(); i !== undefined; i = queue.shift()) await one(h, i);
          }),
        );
      }),
    );
  }
  return Date.now() - started;
}

export async function removeByLabel(dockerHosts: string[]): Promise<void> {
  await Promise.all(
    dockerHosts.map(async (host) => {
      const docker = connectDocker(host);
      const list = await docker.listContainers({ all: true, filters: { label: [BENCH_LABEL] } });
      for (const c of list) await docker.getContainer(c.Id).remove({ force: true });
      const networks = await docker.listNetworks({ filters: { label: [BENCH_LABEL] } });
      for (const n of networks) await docker.getNetwork(n.Id).remove();
    }),
  );
}
