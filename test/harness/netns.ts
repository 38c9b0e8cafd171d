import { execFileSync } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

// A network namespace joined to the machine by a veth pair, for an agent that a test cuts off: the
// test takes the machine's end of the link down (a partition: packets vanish, nothing is refused)
// and brings it up again. Names carry the test process id, so parallel runs never collide.

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

export class AgentNamespace {
  readonly name: string;
  private readonly hostEnd: string;
  private readonly nsEnd: string;
  /** The machine's end: Temporal listens here so the namespace can reach it. */
  readonly hostAddress: string;
  readonly nsAddress: string;

  private constructor(index: number) {
    const tag = `${process.pid % 100_000}${index}`;
    this.name = `graphium-${tag}`;
    this.hostEnd = `gh${tag}`.slice(0, 15);
    this.nsEnd = `gn${tag}`.slice(0, 15);
    // One /30 per namespace inside 10.216.0.0/16, chosen from the process id so runs do not overlap.
    const block = ((process.pid * 4 + index) % 16_000) * 4;
    this.hostAddress = `10.216.${Math.floor(block / 256)}.${(block % 256) + 1}`;
    this.nsAddress = `10.216.${Math.floor(block / 256)}.${(block % 256) + 2}`;
  }

  static create(index = 0): AgentNamespace {
    const ns = new AgentNamespace(index);
    try {
      ip('netns', 'add', ns.name);
      ip('link', 'add', ns.hostEnd, 'type', 'veth', 'peer', 'name', ns.nsEnd);
      ip('link', 'set', ns.nsEnd, 'netns', ns.name);
      ip('addr', 'add', `${ns.hostAddress}/30`, 'dev', ns.hostEnd);
      ip('link', 'set', ns.hostEnd, 'up');
      ip('netns', 'exec', ns.name, 'ip', 'addr', 'add', `${ns.nsAddress}/30`, 'dev', ns.nsEnd);
      ip('netns', 'exec', ns.name, 'ip', 'link', 'set', ns.nsEnd, 'up');
      ip('netns', 'exec', ns.name, 'ip', 'link', 'set', 'lo', 'up');
    } catch (error) {
      ns.destroy();
      throw error;
    }
    return ns;
  }

  /** The partition: the link goes down, and every packet between the two sides is lost. */
  cut(): void {
    ip('link', 'set', this.hostEnd, 'down');
  }

  restore(): void {
    ip('link', 'set', this.hostEnd, 'up');
  }

  /** The command prefix that runs a program inside the namespace. */
  exec(command: string, args: string[]): { command: string; args: string[] } {
    return { command: 'ip', args: ['netns', 'exec', this.name, command, ...args] };
  }

  /**
   * A TCP relay on the machine's end of the link to a loopback port (Temporal stays on loopback; only
   * the agent's own traffic crosses the veth pair, and is what the partition cuts). Resolves with
   * the address the namespace connects to.
   */
  async relay(port: number): Promise<string> {
    const sockets = new Set<Socket>();
    const server = createServer((inbound) => {
      const outbound = createConnection({ host: '127.0.0.1', port });
      for (const socket of [inbound, outbound]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.hostAddress, () => resolve());
    });
    this.relays.push({ server, sockets });
    return `${this.hostAddress}:${(server.address() as { port: number }).port}`;
  }

  private readonly relays: { server: Server; sockets: Set<Socket> }[] = [];

  destroy(): void {
    for (const { server, sockets } of this.relays) {
      server.close();
      for (const socket of sockets) socket.destroy();
    }
    for (const args of [
      ['link', 'del', this.hostEnd],
      ['netns', 'del', this.name],
    ]) {
      try {
        ip(...args);
      } catch {
        // already gone
      }
    }
  }
}
