import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../main.js';

// `graphium config` offline: no API and no token, a project directory on disk, like `docker compose config`.

const CORPUS = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'compose');

async function config(args: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const previous = process.cwd();
  const env = { token: process.env.GRAPHIUM_TOKEN, url: process.env.GRAPHIUM_API_URL };
  delete process.env.GRAPHIUM_TOKEN;
  process.env.GRAPHIUM_API_URL = 'http://127.0.0.1:1';
  if (cwd) process.chdir(cwd);
  try {
    const code = await runCli(['config', ...args], {
      out: { write: (text: string) => (out += text) },
      err: { write: (text: string) => (err += text) },
      stdin: Readable.from([]),
    });
    return { code, out, err };
  } finally {
    process.chdir(previous);
    if (env.token !== undefined) process.env.GRAPHIUM_TOKEN = env.token;
    if (env.url === undefined) delete process.env.GRAPHIUM_API_URL;
    else process.env.GRAPHIUM_API_URL = env.url;
  }
}

describe('graphium config', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'graphium-config-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('prints the normalized stack as YAML, with no token and no API', async () => {
    const { code, out, err } = await config(['-f', join(CORPUS, 'static-site', 'compose.yaml')]);
    assert.equal(err, '');
    assert.equal(code, 0);
    const spec = parse(out);
    assert.equal(spec.services[0].name, 'web');
    assert.deepEqual(spec.services[0].ports, [{ target: 80, protocol: 'tcp', published: 8088 }]);
    assert.deepEqual(
      spec.bundle.files.map((f: { path: string }) => f.path),
      ['.env', 'compose.yaml', 'nginx.conf', 'public/css/site.css', 'public/index.html'],
    );
  });

  it('merges several -f files, takes --env-file, --var and --profile, and prints JSON with --json', async () => {
    const dir = join(CORPUS, 'multi-file-override');
    const merged = await config(
      ['-f', 'compose.yaml', '-f', 'compose.prod.yaml', '-f', 'test-images.yml', '--json'],
      dir,
    );
    assert.equal(merged.code, 0);
    const web = JSON.parse(merged.out).services.find((s: { name: string }) => s.name === 'web');
    assert.equal(web.image, 'graphium-test/busybox:1');
    assert.equal(web.replicas, 2);

    const envDir = join(CORPUS, 'env-defaults');
    const withVar = JSON.parse((await config(['--json', '--var', 'GREETING=hallo'], envDir)).out);
    assert.equal(
      withVar.services[0].environment.GREETING,
      'hallo',
      'compose.yaml is found by default; --var wins over .env',
    );

    const profiles = await config([
      '-f',
      join(CORPUS, 'profiles', 'compose.yaml'),
      '--profile',
      'monitoring',
      '--json',
    ]);
    assert.deepEqual(
      JSON.parse(profiles.out).services.map((s: { name: string }) => s.name),
      ['app', 'metrics'],
    );
  });

  it('prints warnings and admin-only notes on stderr, and still exits 0', async () => {
    const { code, err } = await config(['-f', join(CORPUS, 'version-and-links', 'compose.yaml')]);
    assert.equal(code, 0);
    assert.equal(err, 'warning: version: ignored: obsolete: Compose ignores it too\n');
    const admin = await config(['-f', join(CORPUS, 'docker-socket-proxy', 'compose.yaml')]);
    assert.equal(admin.code, 0);
    assert.match(
      admin.err,
      /^note: services\.reverse-proxy\.volumes\[0\]: admin only: bind-mounts the host path "\/var\/run\/docker\.sock"/,
    );
  });

  it('exits 1 listing every issue when Graphium cannot deploy the project', async () => {
    const dir = join(scratch, 'broken');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'compose.yaml'),
      'services:\n  web:\n    image: x\n    volumes_from: [db]\n    container_name: web\n    deploy: {replicas: 2}\n    env_file: missing.env\n',
    );
    const { code, out, err } = await config(['-f', join(dir, 'compose.yaml')]);
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.equal(
      err,
      'graphium: the project cannot be deployed (3 problems):\n' +
        '  - services.web.volumes_from: not supported: it joins another container, which exists on one host only, while Graphium places services independently\n' +
        '  - services.web.env_file: env file "./missing.env" not found in the project (set required: false if it is optional)\n' +
        '  - services.web.container_name: a fixed container name allows one replica only, and this service has 2; remove container_name or run one replica\n',
    );
  });

  it('says which file is missing as a usage error (exit 2)', async () => {
    const { code, err } = await config(['-f', join(scratch, 'nope.yaml')]);
    assert.equal(code, 2);
    assert.match(err, /cannot read .*nope\.yaml: no such file/);
  });
});
