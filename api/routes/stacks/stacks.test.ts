import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { stacks } from '../../../db/schema.js';
import { assertAccessRule } from '../../../test/harness/access.js';
import { createTestApi, json, type RequestOptions, type TestApi } from '../../../test/harness/api-app.js';
import { useInfra } from '../../../test/harness/infra.js';

const shopYaml = `# the shop
services:
  web:
    image: busybox
    depends_on: [db]
    ports: ["8080:80"]
  db:
    image: busybox
`;

const yaml = (body: string, type = 'application/yaml'): RequestOptions => ({
  body,
  headers: { 'content-type': type },
});

describe('stacks API', () => {
  let api: TestApi;

  before(async () => {
    api = await createTestApi(await useInfra());
  });
  after(() => api?.close());

  it('enforces roles: deployers write, viewers read', async () => {
    const body = yaml(shopYaml);
    await assertAccessRule(api, {
      method: 'POST',
      path: '/stacks?name=denied',
      role: 'deployer',
      options: body,
    });
    await assertAccessRule(api, { method: 'GET', path: '/stacks', role: 'viewer' });
    await assertAccessRule(api, { method: 'GET', path: '/stacks/denied', role: 'viewer' });
    await assertAccessRule(api, { method: 'GET', path: '/stacks/denied/versions/1', role: 'viewer' });
    await assertAccessRule(api, { method: 'PUT', path: '/stacks/denied', role: 'deployer', options: body });
  });

  it('creates a stack from a Compose YAML file, stored as sent', async () => {
    const response = await api.request('POST', '/stacks?name=shop', {
      ...yaml(shopYaml),
      token: api.tokens.deployer,
    });
    assert.equal(response.status, 201);
    const stack = await json(response);
    assert.match(stack.id, /^[0-9a-f-]{36}$/);
    assert.equal(stack.name, 'shop');
    assert.equal(stack.version, 1);
    assert.deepEqual(stack.services, ['db', 'web'], 'in dependency order');
    assert.equal(stack.format, 'yaml');
    assert.equal(stack.source, shopYaml);
    assert.equal(stack.createdBy, 'test-deployer');
    assert.equal(stack.spec.services[1].ports[0].published, 8080);
    assert.deepEqual(
      stack.versions.map((v: { version: number; createdBy: string }) => [v.version, v.createdBy]),
      [[1, 'test-deployer']],
    );
    assert.ok(!Number.isNaN(Date.parse(stack.createdAt)));
  });

  it('accepts every YAML media type, JSON objects and JSON-wrapped YAML', async () => {
    for (const type of ['text/yaml', 'application/x-yaml', 'application/yaml; charset=utf-8']) {
      const name = `yaml-${type.replace(/\W+/g, '-')}`.slice(0, 40);
      const response = await api.request('POST', `/stacks?name=${name}`, yaml(shopYaml, type));
      assert.equal(response.status, 201, type);
    }
    const compose = { services: { app: { image: 'busybox', command: 'sleep 1' } } };
    const fromObject = await json(
      await api.request('POST', '/stacks', { json: { name: 'from-json', compose } }),
    );
    assert.equal(fromObject.format, 'json');
    assert.deepEqual(JSON.parse(fromObject.source), compose);
    assert.deepEqual(fromObject.spec.services[0].command, ['sleep', '1']);

    const fromText = await json(
      await api.request('POST', '/stacks', { json: { name: 'from-text', compose: shopYaml } }),
    );
    assert.equal(fromText.format, 'yaml');
    assert.equal(fromText.source, shopYaml);
  });

  it('takes the name from the Compose file when none is given, and needs one otherwise', async () => {
    const named = await api.request('POST', '/stacks', yaml(`name: named-in-file\n${shopYaml}`));
    assert.equal(named.status, 201);
    assert.equal((await json(named)).name, 'named-in-file');

    const unnamed = await api.request('POST', '/stacks', yaml(shopYaml));
    assert.equal(unnamed.status, 400);
    assert.match((await json(unnamed)).error.message, /a stack name is required/);

    const invalid = await api.request('POST', '/stacks?name=Bad.Name', yaml(shopYaml));
    assert.equal(invalid.status, 400);
    assert.match((await json(invalid)).error.message, /"Bad.Name" is not a valid stack name/);
  });

  it('refuses a second live stack with the same name with 409', async () => {
    assert.equal((await api.request('POST', '/stacks?name=twice', yaml(shopYaml))).status, 201);
    const again = await api.request('POST', '/stacks?name=twice', yaml(shopYaml));
    assert.equal(again.status, 409);
    assert.equal((await json(again)).error.code, 'conflict');
  });

  it('explains malformed YAML with its line, and names unsupported keys', async () => {
    const broken = await api.request(
      'POST',
      '/stacks?name=broken',
      yaml('services:\n  web:\n    image: [busybox\n'),
    );
    assert.equal(broken.status, 400);
    const brokenError = (await json(broken)).error;
    assert.equal(brokenError.code, 'invalid_compose');
    assert.match(brokenError.message, /YAML syntax error at line \d+, column \d+/);
    assert.ok(brokenError.details.issues.length >= 1);

    const unknown = await api.request(
      'POST',
      '/stacks?name=unknown',
      yaml('services:\n  web:\n    image: busybox\n    imagee: busybox\n    volumes_from: [db]\n'),
    );
    assert.equal(unknown.status, 400);
    const unknownError = (await json(unknown)).error;
    assert.equal(unknownError.code, 'invalid_compose');
    assert.match(unknownError.message, /services\.web\.imagee: unknown key "imagee"/);
    assert.deepEqual(unknownError.details.issues, [
      {
        path: 'services.web.imagee',
        message: 'unknown key "imagee": it is not in the Compose Specification (a typo?)',
      },
    ]);
    const refused = await api.request(
      'POST',
      '/stacks?name=refused',
      yaml('services:\n  web:\n    image: busybox\n    volumes_from: [db]\n'),
    );
    assert.equal(refused.status, 400);
    assert.deepEqual((await json(refused)).error.details.issues, [
      {
        path: 'services.web.volumes_from',
        message:
          'not supported: it joins another container, which exists on one host only, while Graphium places services independently',
      },
    ]);
  });

  it('refuses other content types, an empty body and a JSON body of the wrong shape with 400', async () => {
    const plain = await api.request('POST', '/stacks?name=plain', yaml(shopYaml, 'text/plain'));
    assert.equal(plain.status, 400);
    assert.match((await json(plain)).error.message, /unsupported Content-Type/);

    const empty = await api.request('POST', '/stacks?name=empty');
    assert.equal(empty.status, 400);
    assert.match((await json(empty)).error.message, /Content-Type: application\/yaml/);

    const wrongShape = await api.request('POST', '/stacks', { json: { name: 'x', services: {} } });
    assert.equal(wrongShape.status, 400);
    assert.equal((await json(wrongShape)).error.code, 'invalid_request');

    const badJson = await api.request(
      'POST',
      '/stacks',
      yaml('{"name": "x", "compose": {', 'application/json'),
    );
    assert.equal(badJson.status, 400);
    assert.match((await json(badJson)).error.message, /^malformed JSON body/);
  });

  it('finds a stack by id or by name, and lists live stacks', async () => {
    const created = await json(await api.request('POST', '/stacks?name=lookup', yaml(shopYaml)));
    for (const key of [created.id, 'lookup']) {
      const response = await api.request('GET', `/stacks/${key}`, { token: api.tokens.viewer });
      assert.equal(response.status, 200, key);
      assert.equal((await json(response)).id, created.id);
    }
    const { items } = await json(await api.request('GET', '/stacks', { token: api.tokens.viewer }));
    const listed = items.find((s: { name: string }) => s.name === 'lookup');
    assert.deepEqual(listed, {
      id: created.id,
      name: 'lookup',
      version: 1,
      createdAt: created.createdAt,
      updatedAt: created.updatedAt,
      services: ['db', 'web'],
    });
  });

  it('stores a new version on PUT, and none for an identical document', async () => {
    await api.request('POST', '/stacks?name=evolving', yaml(shopYaml));
    const changed = shopYaml.replace('8080:80', '8081:80');
    const second = await api.request('PUT', '/stacks/evolving', {
      ...yaml(changed),
      token: api.tokens.deployer,
    });
    assert.equal(second.status, 200);
    const stack = await json(second);
    assert.equal(stack.version, 2);
    assert.equal(stack.source, changed);
    assert.deepEqual(
      stack.versions.map((v: { version: number }) => v.version),
      [1, 2],
    );
    assert.ok(Date.parse(stack.updatedAt) >= Date.parse(stack.createdAt));

    const same = await json(await api.request('PUT', `/stacks/${stack.id}`, yaml(changed)));
    assert.equal(same.version, 2, 'an identical document creates no version');

    const asJson = await json(
      await api.request('PUT', '/stacks/evolving', {
        json: { compose: { services: { web: { image: 'busybox' } } } },
      }),
    );
    assert.equal(asJson.version, 3);
    assert.equal(asJson.format, 'json');

    const first = await api.request('GET', `/stacks/evolving/versions/1`, { token: api.tokens.deployer });
    assert.equal(first.status, 200);
    const v1 = await json(first);
    assert.equal(v1.source, shopYaml);
    assert.equal(v1.stackId, stack.id);
    assert.equal((await api.request('GET', '/stacks/evolving/versions/9')).status, 404);
    assert.equal((await api.request('GET', '/stacks/evolving/versions/zero')).status, 400);
    assert.equal((await api.request('GET', '/stacks/evolving/versions/3000000000')).status, 400);
  });

  it('shows viewers the environment keys but never their values, nor the source', async () => {
    const secretive = `services:
  app:
    image: busybox
    environment:
      DB_PASSWORD: hunter2-secret
      MODE: production
`;
    const created = await api.request('POST', '/stacks?name=secretive', {
      ...yaml(secretive),
      token: api.tokens.deployer,
    });
    assert.equal(created.status, 201);
    assert.equal((await json(created)).source, secretive, 'the author reads back what it sent');

    for (const path of ['/stacks/secretive', '/stacks/secretive/versions/1']) {
      const response = await api.request('GET', path, { token: api.tokens.viewer });
      assert.equal(response.status, 200, path);
      const text = await response.clone().text();
      assert.doesNotMatch(text, /hunter2|production/, path);
      const body = await json(response);
      assert.equal('source' in body, false, path);
      assert.deepEqual(body.spec.services[0].environment, { DB_PASSWORD: '***', MODE: '***' }, path);
      assert.equal(body.spec.services[0].image, 'busybox', `${path}: the rest of the spec stays`);
    }
    for (const token of [api.tokens.deployer, api.tokens.admin]) {
      const body = await json(await api.request('GET', '/stacks/secretive/versions/1', { token }));
      assert.equal(body.source, secretive);
      assert.deepEqual(body.spec.services[0].environment, {
        DB_PASSWORD: 'hunter2-secret',
        MODE: 'production',
      });
    }
  });

  it('masks command lines, healthcheck commands, logging and driver options for viewers too', async () => {
    const secretive = `services:
  app:
    image: busybox
    volumes: ["share:/share"]
    entrypoint: ["/bin/run", "--token=ep-secret"]
    command: ["serve", "--password=cmd-secret"]
    healthcheck:
      test: ["CMD-SHELL", "curl -u admin:hc-secret localhost"]
    logging:
      driver: json-file
      options:
        max-size: log-secret
volumes:
  share:
    driver_opts: { type: cifs, device: //nas/share, o: "username=u,password=vol-secret" }
`;
    // Driver options are admin-only; an admin stores what a viewer then reads.
    assert.equal(
      (await api.request('POST', '/stacks?name=wordy', { ...yaml(secretive), token: api.tokens.admin }))
        .status,
      201,
    );
    const response = await api.request('GET', '/stacks/wordy', { token: api.tokens.viewer });
    assert.equal(response.status, 200);
    assert.doesNotMatch(await response.clone().text(), /secret/);
    const [service] = (await json(response)).spec.services;
    assert.deepEqual(service.entrypoint, ['***', '***']);
    assert.deepEqual(service.command, ['***', '***']);
    assert.deepEqual(service.healthcheck.test, ['CMD-SHELL', '***']);
    assert.deepEqual(service.logging, { driver: 'json-file', options: { 'max-size': '***' } });
    const masked = (await json(await api.request('GET', '/stacks/wordy', { token: api.tokens.viewer }))).spec;
    assert.deepEqual(masked.volumes[0].driverOpts, { type: '***', device: '***', o: '***' });
    const whole = await json(await api.request('GET', '/stacks/wordy', { token: api.tokens.deployer }));
    assert.deepEqual(whole.spec.services[0].command, ['serve', '--password=cmd-secret']);
  });

  it('lets only admins store a bind mount; deployers keep named volumes', async () => {
    const withBind = (name: string, volume: string) =>
      `services:
  ${name}:
    image: busybox
    volumes:
      - ${volume}
`;
    const shortBind = withBind('rooted', '/:/host');
    const refused = await api.request('POST', '/stacks?name=rooted', {
      ...yaml(shortBind),
      token: api.tokens.deployer,
    });
    assert.equal(refused.status, 403);
    const refusedError = (await json(refused)).error;
    assert.equal(refusedError.code, 'forbidden');
    assert.equal(
      refusedError.message,
      `services.rooted.volumes[0]: admin only: bind-mounts the host path "/", which gives the container that host's files: requires role admin`,
    );
    assert.equal((await api.request('GET', '/stacks/rooted')).status, 404, 'nothing was stored');

    const longBind = withBind('socket', '{ type: bind, source: /var/run/docker.sock, target: /sock }');
    const refusedLong = await api.request('POST', '/stacks?name=socket', {
      ...yaml(longBind),
      token: api.tokens.deployer,
    });
    assert.equal(refusedLong.status, 403);
    assert.match(
      (await json(refusedLong)).error.message,
      /services\.socket\.volumes\[0\]: .*"\/var\/run\/docker\.sock"/,
    );

    const byAdmin = await api.request('POST', '/stacks?name=rooted', {
      ...yaml(shortBind),
      token: api.tokens.admin,
    });
    assert.equal(byAdmin.status, 201);
    const sameAgain = await api.request('PUT', '/stacks/rooted', {
      ...yaml(shortBind),
      token: api.tokens.deployer,
    });
    assert.equal(sameAgain.status, 403, 'a deployer cannot store it, even unchanged');

    const named = `${withBind('rooted', 'data:/data')}volumes:
  data:
`;
    const replaced = await api.request('PUT', '/stacks/rooted', {
      ...yaml(named),
      token: api.tokens.deployer,
    });
    assert.equal(replaced.status, 200, await replaced.clone().text());
    assert.equal((await json(replaced)).version, 2);
    const { items } = await json(await api.request('GET', '/audit?limit=5'));
    const audited = items.find((item: { status: number }) => item.status === 403);
    assert.deepEqual(
      [audited.action, audited.actor, audited.details.error],
      ['PUT /api/v1/stacks/:id', 'test-deployer', 'forbidden'],
    );
  });

  it('refuses a rename and an invalid document on PUT, keeping the current version', async () => {
    await api.request('POST', '/stacks?name=steady', yaml(shopYaml));
    const renamed = await api.request('PUT', '/stacks/steady?name=other', yaml(shopYaml));
    assert.equal(renamed.status, 400);
    assert.match((await json(renamed)).error.message, /renaming a stack is not supported/);
    const invalid = await api.request('PUT', '/stacks/steady', yaml('services: {}\nvolumes: 3\n'));
    assert.equal(invalid.status, 400);
    assert.equal((await json(invalid)).error.code, 'invalid_compose');
    assert.equal((await json(await api.request('GET', '/stacks/steady'))).version, 1);
  });

  it('answers 404 for unknown and deleted stacks, and frees a deleted stack’s name', async () => {
    assert.equal((await api.request('GET', '/stacks/nope')).status, 404);
    assert.equal((await api.request('PUT', '/stacks/nope', yaml(shopYaml))).status, 404);
    assert.equal((await api.request('GET', '/stacks/00000000-0000-4000-8000-000000000000')).status, 404);

    const gone = await json(await api.request('POST', '/stacks?name=gone', yaml(shopYaml)));
    await api.db.update(stacks).set({ deletedAt: new Date() }).where(eq(stacks.id, gone.id));
    for (const key of [gone.id, 'gone']) {
      const response = await api.request('GET', `/stacks/${key}`);
      assert.equal(response.status, 404, key);
      assert.equal((await json(response)).error.code, 'not_found');
    }
    const { items } = await json(await api.request('GET', '/stacks'));
    assert.ok(!items.some((s: { id: string }) => s.id === gone.id));
    assert.equal((await api.request('POST', '/stacks?name=gone', yaml(shopYaml))).status, 201);
  });
});
