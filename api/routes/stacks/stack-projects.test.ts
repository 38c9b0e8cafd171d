import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { readBlobs } from '../../../db/repositories/blobs.js';
import { blobs } from '../../../db/schema.js';
import { createTestApi, json, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';

// A stack version sent as a whole project, as `graphium stack create -f …` uploads it: the Compose
// files and every file they reference, loaded by the API with the stack's variables, stored
// content-addressed with secret files sealed.

const text = (value: string) => Buffer.from(value).toString('base64');
const compose = `services:
  web:
    image: nginx:\${TAG:-1.27}
    env_file: [web.env]
    volumes: [./nginx.conf:/etc/nginx/nginx.conf:ro]
    secrets: [db_password]
    attach: false
secrets:
  db_password:
    file: ./secrets/db_password.txt
`;
const project = (overrides: Record<string, unknown> = {}) => ({
  composeFiles: ['compose.yaml'],
  files: [
    { path: 'compose.yaml', content: text(compose) },
    { path: 'web.env', content: text('MODE=production\n') },
    { path: 'nginx.conf', content: text('events {}\n') },
    { path: 'secrets/db_password.txt', content: text('s3cret-db-pass\n'), mode: 0o600 },
  ],
  ...overrides,
});

describe('stacks sent as whole projects', () => {
  let api: TestApi;

  before(async () => {
    api = await createTestApi(await useInfra());
  });
  after(() => api?.close());

  const create = (name: string, body: unknown) =>
    api.request('POST', '/stacks', { token: api.tokens.deployer, json: { name, project: body } });

  it('loads the project, keeps the warnings with the version, and stores every file', async () => {
    const response = await create('proj', project());
    assert.equal(response.status, 201, await response.clone().text());
    const stack = await json(response);
    const web = stack.spec.services[0];
    assert.equal(web.image, 'nginx:1.27', 'interpolated, with its default');
    assert.equal(web.environment.MODE, 'production', 'env_file read from the upload');
    assert.deepEqual(
      web.mounts.map((m: { type: string; source: string }) => [m.type, m.source]),
      [['bundle', 'nginx.conf']],
    );
    assert.deepEqual(stack.spec.bundle.files.map((f: { path: string }) => f.path).sort(), [
      'compose.yaml',
      'nginx.conf',
      'secrets/db_password.txt',
      'web.env',
    ]);
    assert.ok(
      stack.warnings.some((w: { path: string }) => w.path === 'services.web.attach'),
      JSON.stringify(stack.warnings),
    );
    const secret = stack.spec.bundle.files.find(
      (f: { path: string }) => f.path === 'secrets/db_password.txt',
    );
    const [row] = await api.db.select().from(blobs).where(eq(blobs.digest, secret.digest));
    assert.ok(row?.keyId, 'the secret file is sealed at rest');
    assert.ok(!row!.content.includes(Buffer.from('s3cret')), 'its stored bytes are not the secret');
    const opened = await readBlobs(api.db, api.keyring, [secret.digest]);
    assert.equal(opened.get(secret.digest)?.toString(), 's3cret-db-pass\n');
  });

  it('makes no new version for the same project, and a new one when a referenced file changes', async () => {
    await create('proj2', project());
    const same = await api.request('PUT', '/stacks/proj2', { json: { project: project() } });
    assert.equal((await json(same)).version, 1);
    const files = project().files.map((f) =>
      f.path === 'nginx.conf' ? { ...f, content: text('events { worker_connections 64; }\n') } : f,
    );
    const changed = await api.request('PUT', '/stacks/proj2', { json: { project: project({ files }) } });
    assert.equal((await json(changed)).version, 2);
  });

  it('loads the project again with new variables: a new version when they change what it loads to', async () => {
    await create('proj3', project());
    const saved = await json(
      await api.request('PUT', '/stacks/proj3/variables', { json: { variables: { TAG: '1.28' } } }),
    );
    assert.equal(saved.version, 2);
    const stack = await json(await api.request('GET', '/stacks/proj3'));
    assert.equal(stack.spec.services[0].image, 'nginx:1.28');
    const unused = await json(
      await api.request('PUT', '/stacks/proj3/variables', {
        json: { variables: { TAG: '1.28', UNUSED: 'x' } },
      }),
    );
    assert.equal(unused.version, 2, 'a variable the project does not use makes no version');
    const updated = await json(await api.request('PUT', '/stacks/proj3', { json: { project: project() } }));
    assert.equal(updated.version, 2, 'a PUT of the same project loads with the stored variables');
    assert.equal(updated.spec.services[0].image, 'nginx:1.28');
  });

  it('refuses variables that turn the project into one the caller may not store, keeping the old ones', async () => {
    const files = [
      {
        path: 'compose.yaml',
        content: text(`services:\n  app:\n    image: busybox\n    volumes: ["\${DATA:-./data}:/data"]\n`),
      },
    ];
    await create('proj4', { composeFiles: ['compose.yaml'], files });
    const refused = await api.request('PUT', '/stacks/proj4/variables', {
      token: api.tokens.deployer,
      json: { variables: { DATA: '/etc' } },
    });
    assert.equal(refused.status, 403, 'an absolute bind mount needs role admin');
    const kept = await json(await api.request('GET', '/stacks/proj4/variables'));
    assert.deepEqual(kept.variables, {});
  });

  it('refuses paths outside the project, missing Compose files and missing referenced files', async () => {
    const outside = await create(
      'bad1',
      project({ files: [...project().files, { path: '../etc/passwd', content: text('x') }] }),
    );
    assert.equal(outside.status, 400);
    assert.equal((await json(outside)).error.code, 'invalid_request');
    const noCompose = await create('bad2', project({ composeFiles: ['prod.yaml'] }));
    assert.equal(noCompose.status, 400);
    assert.match((await json(noCompose)).error.message, /prod\.yaml are not among the files sent/);
    const withoutSecret = await create(
      'bad3',
      project({ files: project().files.filter((f) => !f.path.startsWith('secrets/')) }),
    );
    assert.equal(withoutSecret.status, 400);
    const error = (await json(withoutSecret)).error;
    assert.equal(error.code, 'invalid_compose');
    assert.match(JSON.stringify(error.details.issues), /secrets\.db_password/);
    const both = await api.request('POST', '/stacks', {
      json: { name: 'bad4', compose: compose, project: project() },
    });
    assert.equal(both.status, 400);
  });

  it('refuses a project over the size limit with 413 and says what to do', async () => {
    const big = Buffer.alloc(11 * 1024 * 1024, 7).toString('base64');
    const response = await create(
      'huge',
      project({ files: [...project().files, { path: 'blob.bin', content: big }] }),
    );
    assert.equal(response.status, 413);
    const { error } = await json(response);
    assert.equal(error.code, 'payload_too_large');
    assert.match(error.message, /over the \d+-byte limit of a stack version: keep large build contexts out/);
  });

  it('needs role admin for a project using an admin-only key', async () => {
    const files = [
      {
        path: 'compose.yaml',
        content: text('services:\n  app:\n    image: busybox\n    privileged: true\n'),
      },
    ];
    const response = await create('priv', { composeFiles: ['compose.yaml'], files });
    assert.equal(response.status, 403);
    const asAdmin = await api.request('POST', '/stacks', {
      json: { name: 'priv', project: { composeFiles: ['compose.yaml'], files } },
    });
    assert.equal(asAdmin.status, 201);
  });
});
