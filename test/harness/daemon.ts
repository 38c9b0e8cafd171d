import { request } from 'node:http';
import type { Readable } from 'node:stream';

// Talks to a Docker daemon over its socket with plain HTTP, independently of Graphium's own Docker
// code, so tests check what the daemon really holds rather than what our client believes.

export interface DaemonContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  labels: Record<string, string>;
}

/** The parts of `docker inspect` the tests read. */
export interface ContainerDocument {
  Id: string;
  Name: string;
  Image: string;
  State: { Status: string; Running: boolean; ExitCode: number; StartedAt: string };
  Config: {
    Hostname: string;
    Domainname: string;
    User: string;
    WorkingDir: string;
    Env: string[];
    Labels: Record<string, string>;
    ExposedPorts?: Record<string, object>;
    Cmd?: string[] | null;
  };
  HostConfig: Record<string, unknown> & {
    Mounts?: { Type: string; Source: string; Target: string; ReadOnly?: boolean }[];
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[] | null>;
    RestartPolicy?: { Name: string; MaximumRetryCount: number };
  };
  Mounts: { Type: string; Source: string; Destination: string; RW: boolean; Name?: string }[];
  NetworkSettings: { Networks: Record<string, { IPAddress: string; Aliases: string[] | null }> };
}

/** Docker multiplexes the stdout and stderr of a non-TTY exec in 8-byte-header frames. */
function demultiplex(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

export class DaemonProbe {
  constructor(readonly socketPath: string) {}

  async ping(): Promise<boolean> {
    const { status } = await this.call('GET', '/_ping');
    return status === 200;
  }

  async info(): Promise<{ ID: string; Name: string; ServerVersion: string }> {
    return (await this.json('GET', '/info')) as { ID: string; Name: string; ServerVersion: string };
  }

  /** Every container (running or not) whose labels include all of `labels`. */
  async containers(labels: Record<string, string> = {}): Promise<DaemonContainer[]> {
    const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
    const list = (await this.json(
      'GET',
      `/containers/json?all=1&filters=${encodeURIComponent(filters)}`,
    )) as {
      Id: string;
      Names: string[];
      Image: string;
      State: string;
      Status: string;
      Labels: Record<string, string>;
    }[];
    return list
      .map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        image: c.Image,
        state: c.State,
        status: c.Status,
        labels: c.Labels ?? {},
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async networks(labels: Record<string, string> = {}): Promise<{ Name: string; Id: string }[]> {
    const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
    return (await this.json('GET', `/networks?filters=${encodeURIComponent(filters)}`)) as {
      Name: string;
      Id: string;
    }[];
  }

  async hasImage(reference: string): Promise<boolean> {
    const { status } = await this.call('GET', `/images/${encodeURIComponent(reference)}/json`);
    return status === 200;
  }

  async importImage(tar: Readable, repo: string, tag: string, cmd: string[]): Promise<void> {
    const changes = encodeURIComponent(`CMD ${JSON.stringify(cmd)}`);
    const { status, body } = await this.call(
      'POST',
      `/images/create?fromSrc=-&repo=${encodeURIComponent(repo)}&tag=${tag}&changes=${changes}`,
      tar,
    );
    if (status !== 200 || /"error"/.test(body)) throw new Error(`image import failed (${status}): ${body}`);
  }

  /** The container's full inspect document, as `docker inspect` shows it. */
  async inspect(nameOrId: string): Promise<ContainerDocument> {
    return (await this.json('GET', `/containers/${encodeURIComponent(nameOrId)}/json`)) as ContainerDocument;
  }

  async inspectImage(
    reference: string,
  ): Promise<{ Id: string; RepoTags: string[]; Config: { Labels?: Record<string, string> } }> {
    return (await this.json('GET', `/images/${encodeURIComponent(reference)}/json`)) as {
      Id: string;
      RepoTags: string[];
      Config: { Labels?: Record<string, string> };
    };
  }

  /** Runs a command in a running container (`docker exec`) and returns its exit code and output. */
  async exec(nameOrId: string, cmd: string[]): Promise<{ exitCode: number; output: string }> {
    const created = await this.call(
      'POST',
      `/containers/${encodeURIComponent(nameOrId)}/exec`,
      JSON.stringify({ Cmd: cmd, AttachStdout: true, AttachStderr: true }),
    );
    if (created.status !== 201)
      throw new Error(`exec in ${nameOrId} answered ${created.status}: ${created.body}`);
    const { Id } = JSON.parse(created.body) as { Id: string };
    const started = await this.call(
      'POST',
      `/exec/${Id}/start`,
      JSON.stringify({ Detach: false, Tty: false }),
    );
    const info = (await this.json('GET', `/exec/${Id}/json`)) as { ExitCode: number };
    return { exitCode: info.ExitCode, output: demultiplex(started.raw) };
  }

  /** Gives an image another name (`docker tag`). */
  async tag(reference: string, repo: string, tag: string): Promise<void> {
    const query = `repo=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}`;
    const { status, body } = await this.call('POST', `/images/${encodeURIComponent(reference)}/tag?${query}`);
    if (status !== 201) throw new Error(`tag ${reference} answered ${status}: ${body}`);
  }

  async removeNetwork(id: string): Promise<void> {
    await this.call('DELETE', `/networks/${id}`);
  }

  /** `docker network create`, as another project (or another tool) would make it. */
  async createNetwork(name: string, labels: Record<string, string> = {}): Promise<void> {
    const { status, body } = await this.call(
      'POST',
      '/networks/create',
      JSON.stringify({ Name: name, Labels: labels }),
    );
    if (status !== 201) throw new Error(`network create ${name} answered ${status}: ${body}`);
  }

  /** The network, with the containers attached to it, or undefined when absent. */
  async network(
    name: string,
  ): Promise<
    { Name: string; Labels: Record<string, string>; Containers: Record<string, { Name: string }> } | undefined
  > {
    const { status, body } = await this.call('GET', `/networks/${encodeURIComponent(name)}`);
    if (status === 404) return undefined;
    if (status !== 200) throw new Error(`network inspect ${name} answered ${status}: ${body}`);
    return JSON.parse(body);
  }

  async createVolume(name: string, labels: Record<string, string> = {}): Promise<void> {
    const { status, body } = await this.call(
      'POST',
      '/volumes/create',
      JSON.stringify({ Name: name, Labels: labels }),
    );
    if (status !== 201) throw new Error(`volume create ${name} answered ${status}: ${body}`);
  }

  /** The volume, or undefined when absent. */
  async volume(name: string): Promise<{ Name: string; Labels: Record<string, string> | null } | undefined> {
    const { status, body } = await this.call('GET', `/volumes/${encodeURIComponent(name)}`);
    if (status === 404) return undefined;
    if (status !== 200) throw new Error(`volume inspect ${name} answered ${status}: ${body}`);
    return JSON.parse(body);
  }

  async removeVolume(name: string): Promise<void> {
    await this.call('DELETE', `/volumes/${encodeURIComponent(name)}?force=1`);
  }

  async removeContainer(id: string): Promise<void> {
    await this.call('DELETE', `/containers/${id}?force=1&v=1`);
  }

  private async json(method: string, path: string): Promise<unknown> {
    const { status, body } = await this.call(method, path);
    if (status >= 300) throw new Error(`${method} ${path} answered ${status}: ${body}`);
    return JSON.parse(body);
  }

  private call(
    method: string,
    path: string,
    input?: Readable | string,
  ): Promise<{ status: number; body: string; raw: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = typeof input === 'string' ? { 'Content-Type': 'application/json' } : undefined;
      const req = request({ socketPath: this.socketPath, path: `/v1.41${path}`, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, body: raw.toString('utf8'), raw });
        });
      });
      req.on('error', reject);
      if (typeof input === 'string') req.end(input);
      else if (input) input.pipe(req);
      else req.end();
    });
  }
}
