import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';

// A PostgreSQL cluster of a test's own (initdb in a temporary directory, its own port, run as the
// postgres user as the server demands), for tests that stop the database: the machine's shared
// server is never stopped, since other test runs use it.

function pgBinDir(): string {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))[0]
    : undefined;
  if (!version)
    throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)');
  return join(root, version, 'bin');
}

export class PrivatePostgres {
  private readonly bin = pgBinDir();
  private readonly data: string;
  private readonly log: string;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.data = join(dir, 'data');
    this.log = join(dir, 'postgres.log');
  }

  /** An initialised, running cluster; `adminUrl` reaches it as the `graphium` role (trust on loopback). */
  static async create(dir: string): Promise<PrivatePostgres> {
    mkdirSync(dir, { recursive: true });
    const pg = new PrivatePostgres(dir, await freePort());
    chownSync(dir, uid('postgres'), gid('postgres'));
    pg.asPostgres(join(pg.bin, 'initdb'), ['-D', pg.data, '--auth=trust', '-U', 'postgres', '--no-sync']);
    await pg.start();
    pg.asPostgres(join(pg.bin, 'psql'), [
      '-h',
      dir,
      '-p',
      String(pg.port),
      '-U',
      'postgres',
      '-qc',
      "create role graphium login createdb password 'graphium'",
    ]);
    return pg;
  }

  get adminUrl(): string {
    return `postgres://graphium:graphium@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    this.pgCtl([
      'start',
      '-w',
      '-t',
      '60',
      '-l',
      this.log,
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    ]);
  }

  /** Fast shutdown: clients are disconnected at once, as when the database host goes away. */
  async stop(): Promise<void> {
    this.pgCtl(['stop', '-m', 'fast', '-w', '-t', '60']);
  }

  async destroy(): Promise<void> {
    try {
      this.pgCtl(['stop', '-m', 'immediate', '-w', '-t', '30']);
    } catch {
      // not running
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private pgCtl(args: string[]): void {
    this.asPostgres(join(this.bin, 'pg_ctl'), ['-D', this.data, ...args]);
  }

  private asPostgres(command: string, args: string[]): void {
    execFileSync(command, args, { stdio: 'pipe', uid: uid('postgres'), gid: gid('postgres'), cwd: this.dir });
  }
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}
