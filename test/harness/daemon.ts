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

  async removeNetwork(id: string): Promise<void> {
    await this.call('DELETE', `/networks/${id}`);
  }

  async removeContainer(id: string): Promise<void> {
    await this.call('DELETE', `/containers/${id}?force=1&v=1`);
  }

  private async json(method: string, path: string): Promise<unknown> {
    const { status, body } = await this.call(method, path);
    if (status >= 300) throw new Error(`${method} ${path} answered ${status}: ${body}`);
    return JSON.parse(body);
  }

  private call(method: string, path: string, input?: Readable): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socketPath, path: `/v1.41${path}`, method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      if (input) input.pipe(req);
      else req.end();
    });
  }
}
