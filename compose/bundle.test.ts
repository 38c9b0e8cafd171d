// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose interpolation (${VAR}) appears in the projects these tests load.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalJson } from '../lib/digest.js';
import { manifestDigest } from './bundle.js';
import { loadProject } from './load-project.js';
import { memoryReader } from './project-reader.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const load = (files: Record<string, string | { content: Uint8Array; mode: number }>, options = {}) =>
  loadProject(memoryReader(files), { files: ['compose.yaml'], ...options });

describe('the bundle', () => {
  it('holds every file the project needs, with digests, sizes, modes and a canonical manifest digest', () => {
    const loaded = load({
      'compose.yaml':
        'services:\n  web:\n    image: nginx\n    env_file: web.env\n    volumes: ["./site:/srv:ro", "./nginx.conf:/etc/nginx.conf"]\n',
      'web.env': 'A=1\n',
      'site/index.html': '<p>hi</p>',
      'site/img/logo.svg': '<svg/>',
      'nginx.conf': 'events {}',
      'unrelated.txt': 'not referenced, not shipped',
      'run.sh': { content: new TextEncoder().encode('#!/bin/sh\n'), mode: 0o755 },
    });
    const files = loaded.spec.bundle!.files;
    assert.deepEqual(
      files.map((f) => f.path),
      ['compose.yaml', 'nginx.conf', 'site/img/logo.svg', 'site/index.html', 'web.env'],
    );
    const conf = files.find((f) => f.path === 'nginx.conf')!;
    assert.deepEqual(conf, { path: 'nginx.conf', digest: sha('events {}'), size: 9, mode: 0o644 });
    const expected = sha(canonicalJson(files.map(({ path, digest, mode }) => ({ digest, mode, path }))));
    assert.equal(loaded.spec.bundle!.digest, expected);
    assert.equal(manifestDigest([...files].reverse()), expected, 'order does not matter');
    assert.deepEqual(
      [...loaded.files.keys()].sort(),
      files.map((f) => f.path),
    );
  });

  it('makes a bind whose source the project ships a bundle mount, and one it does not a stack-data mount', () => {
    const { spec } = load({
      'compose.yaml':
        'services:\n  db:\n    image: postgres\n    volumes: ["./data:/var/lib/postgresql/data", "./init:/docker-entrypoint-initdb.d"]\n',
      'init/schema.sql': 'create table t ();',
    });
    assert.deepEqual(
      spec.services[0]!.mounts.map((m) => [m.type, m.source]),
      [
        ['stack-data', 'data'],
        ['bundle', 'init'],
      ],
    );
  });

  it('refuses paths that leave the project, except that include and extends may point anywhere inside it', () => {
    assert.throws(
      () => load({ 'compose.yaml': 'services:\n  web: {image: x, volumes: ["../secrets:/s"]}\n' }),
      /services\.web\.volumes\[0\]: bind source "\.\.\/secrets" is outside the project directory/,
    );
    assert.throws(
      () =>
        load({
          'compose.yaml': 'services:\n  web: {image: x, secrets: [s]}\nsecrets: {s: {file: ../s.txt}}\n',
        }),
      /secrets\.s\.file: "\.\.\/s\.txt" is outside the project directory/,
    );
    assert.throws(
      () => load({ 'compose.yaml': 'services:\n  web: {build: ../app}\n' }),
      /build context "\.\.\/app" is outside the project directory/,
    );
    const nested = load({
      'compose.yaml': 'include: [deep/er/compose.yaml]\nservices:\n  web: {image: x}\n',
      'deep/er/compose.yaml': 'services:\n  api:\n    extends: {file: ../../base.yaml, service: b}\n',
      'base.yaml': 'services:\n  b: {image: y}\n',
    });
    assert.deepEqual(nested.spec.services.map((s) => s.name).sort(), ['api', 'web']);
  });

  it('generates files for secrets and configs from environment and content, flagged secret for secrets', () => {
    const loaded = load(
      {
        'compose.yaml':
          'services:\n  app: {image: x, secrets: [token, key], configs: [motd]}\nsecrets:\n  token: {environment: TOKEN}\n  key: {file: ./key.pem}\nconfigs:\n  motd: {content: "hello ${WHO}"}\n',
        'key.pem': 'KEY',
      },
      { variables: { TOKEN: 't0ps3cret', WHO: 'world' } },
    );
    const byPath = Object.fromEntries(loaded.spec.bundle!.files.map((f) => [f.path, f]));
    assert.equal(byPath['.graphium/secrets/token']!.secret, true);
    assert.equal(byPath['key.pem']!.secret, true);
    assert.equal(byPath['.graphium/configs/motd']!.secret, undefined);
    assert.equal(
      new TextDecoder().decode(loaded.files.get('.graphium/configs/motd')!.content),
      'hello world',
    );
    assert.deepEqual(loaded.spec.secrets, [
      { name: 'token', file: '.graphium/secrets/token' },
      { name: 'key', file: 'key.pem' },
    ]);
    assert.deepEqual(loaded.spec.services[0]!.secrets, [
      { source: 'token', target: '/run/secrets/token' },
      { source: 'key', target: '/run/secrets/key' },
    ]);
    assert.deepEqual(loaded.spec.services[0]!.configs, [{ source: 'motd', target: '/motd' }]);
  });

  it('ships build contexts after .dockerignore, and the context digest follows what defines the build', () => {
    const files = {
      'compose.yaml': 'services:\n  app:\n    build: {context: ./app, args: {V: "1"}}\n',
      'app/Dockerfile': 'FROM graphium-test/busybox:1\nCOPY . /app\n',
      'app/.dockerignore': 'node_modules\n*.log\n',
      'app/src/main.js': 'main',
      'app/node_modules/dep/index.js': 'dep',
      'app/debug.log': 'log',
    };
    const first = load(files);
    assert.deepEqual(
      first.spec.bundle!.files.map((f) => f.path),
      ['app/.dockerignore', 'app/Dockerfile', 'app/src/main.js', 'compose.yaml'],
    );
    const digest = first.spec.services[0]!.build!.contextDigest;
    assert.match(digest, /^[0-9a-f]{64}$/);
    assert.equal(
      load({ ...files, 'app/debug.log': 'other log' }).spec.services[0]!.build!.contextDigest,
      digest,
      'ignored files do not count',
    );
    assert.notEqual(
      load({ ...files, 'app/src/main.js': 'changed' }).spec.services[0]!.build!.contextDigest,
      digest,
    );
    const otherArgs = { ...files, 'compose.yaml': files['compose.yaml'].replace('"1"', '"2"') };
    assert.notEqual(load(otherArgs).spec.services[0]!.build!.contextDigest, digest);
    assert.equal(first.spec.services[0]!.image, '', 'the agent tags it <stack>-<service>:<digest>');
  });

  it('uses .env by default, --env-file files instead when given, and stack variables over both', () => {
    const files = {
      'compose.yaml': 'services:\n  web: {image: "nginx:${TAG}", environment: {WHO: "${WHO}"}}\n',
      '.env': 'TAG=1\nWHO=dotenv\n',
      'prod.env': 'TAG=2\n',
    };
    assert.equal(load(files).spec.services[0]!.image, 'nginx:1');
    const prod = load(files, { envFiles: ['prod.env'] });
    assert.equal(prod.spec.services[0]!.image, 'nginx:2');
    assert.deepEqual(prod.spec.services[0]!.environment, { WHO: '' });
    assert.deepEqual(prod.warnings, [
      {
        path: 'services.web.environment.WHO',
        message:
          'variable WHO is not set: substituted an empty string (set it in .env, --env-file or the stack variables)',
      },
    ]);
    assert.deepEqual(
      prod.spec.bundle!.files.map((f) => f.path),
      ['compose.yaml', 'prod.env'],
    );
    assert.equal(load(files, { variables: { TAG: '3' } }).spec.services[0]!.image, 'nginx:3');
  });
});
