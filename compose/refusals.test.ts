import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComposeError } from './compose-errors.js';
import { loadComposeDocument, parseStackDefinition } from './single-document.js';
import { parseComposeText } from './yaml.js';

const normalizeCompose = (document: unknown) =>
  loadComposeDocument(document as Record<string, unknown>, 'json').spec;

/** Every issue as `path: message`, the form users see. */
function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ComposeError, `expected ComposeError, got ${error}`);
    assert.equal(error.name, 'ComposeError');
    return error.issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  }
  assert.fail('expected a ComposeError');
}
const problemsOf = (yaml: string) => problems(() => parseStackDefinition(yaml, 'yaml'));
/** A one-service document whose service `web` has the given extra YAML (flow-style) keys. */
const web = (keys: string) => problemsOf(`services:\n  web: {image: x, ${keys}}\n`);

describe('syntax errors', () => {
  it('reports YAML and JSON syntax errors with line and column', () => {
    assert.match(
      problems(() => parseComposeText('services:\n  web: {image: x\n', 'yaml'))[0]!,
      /^YAML syntax error at line \d+, column \d+: /,
    );
    assert.match(
      problems(() => parseComposeText('services:\n  a: 1\n  a: 2\n', 'yaml'))[0]!,
      /line 3, column 3: .*unique/,
    );
    assert.match(
      problems(() => parseComposeText('{\n  "a": 1,\n}', 'json'))[0]!,
      /^JSON syntax error: .*line 3/,
    );
  });

  it('refuses alias bombs', () => {
    let yaml = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++)
      yaml += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    assert.deepEqual(
      problems(() => parseComposeText(yaml, 'yaml')),
      ['YAML error: Excessive alias count indicates a resource exhaustion attack'],
    );
  });

  it('rejects a document that is not a mapping', () => {
    assert.deepEqual(
      problems(() => parseComposeText('- a\n', 'yaml')),
      ['a Compose document must be a mapping with "services", got a list'],
    );
    assert.deepEqual(
      problems(() => parseComposeText('', 'yaml')),
      ['a Compose document must be a mapping with "services", got an empty document'],
    );
    assert.deepEqual(
      problems(() => parseComposeText('"x"', 'json')),
      ['a Compose document must be a mapping with "services", got a string'],
    );
    assert.deepEqual(
      problems(() => normalizeCompose(42)),
      ['a Compose document must be a mapping with "services", got a number'],
    );
  });

  it('summarises all issues in the message', () => {
    assert.throws(() => parseStackDefinition('services:\n  web: {image: x, foo: 1, bar: 2}\n', 'yaml'), {
      name: 'ComposeError',
      message:
        '2 problems in the Compose project: services.web.foo: unsupported key "foo"; services.web.bar: unsupported key "bar"',
    });
  });
});

describe('unsupported keys', () => {
  it('names the key at every level', () => {
    assert.deepEqual(problemsOf('services: {web: {image: x}}\nconfigs: {}\n'), [
      'configs: unsupported key "configs"',
    ]);
    assert.deepEqual(web('container_name: w'), [
      'services.web.container_name: unsupported key "container_name"',
    ]);
    assert.deepEqual(web('deploy: {mode: global}'), ['services.web.deploy.mode: unsupported key "mode"']);
    assert.deepEqual(web('deploy: {placement: {preferences: []}}'), [
      'services.web.deploy.placement.preferences: unsupported key "preferences"',
    ]);
    assert.deepEqual(web('ports: [{target: 80, mode: host}]'), [
      'services.web.ports[0].mode: unsupported key "mode"',
    ]);
    assert.deepEqual(web('volumes: [{type: bind, source: /a, target: /b, bind: {}}]'), [
      'services.web.volumes[0].bind: unsupported key "bind"',
    ]);
    assert.deepEqual(web('healthcheck: {test: x, start_interval: 1s}'), [
      'services.web.healthcheck.start_interval: unsupported key "start_interval"',
    ]);
    assert.deepEqual(web('depends_on: {db: {condition: service_started, restart: true}}'), [
      'services.web.depends_on.db.restart: unsupported key "restart"',
    ]);
    assert.deepEqual(web('networks: {default: {ipv4_address: 10.0.0.2}}'), [
      'services.web.networks.default.ipv4_address: unsupported key "ipv4_address"',
    ]);
    assert.deepEqual(problemsOf('services: {web: {image: x}}\nnetworks: {n: {internal: true}}\n'), [
      'networks.n.internal: unsupported key "internal"',
    ]);
    assert.deepEqual(problemsOf('services: {web: {image: x}}\nvolumes: {v: {driver_opts: {}}}\n'), [
      'volumes.v.driver_opts: unsupported key "driver_opts"',
    ]);
  });

  it('rejects unsupported values and wrong types with the expected forms', () => {
    assert.deepEqual(web('depends_on: {db: {condition: service_completed_successfully}}'), [
      'services.web.depends_on.db.condition: unsupported value "service_completed_successfully"; expected "service_started" or "service_healthy"',
    ]);
    assert.deepEqual(web('ports: [true]'), [
      'services.web.ports[0]: expected a string, a number or a mapping, got true',
    ]);
    assert.deepEqual(web('environment: [1]'), ['services.web.environment[0]: expected a string, got 1']);
    assert.deepEqual(web('environment: {A: [1]}'), [
      'services.web.environment.A: expected a string, a number, true or false or null, got a list',
    ]);
    assert.deepEqual(web('command: {a: 1}'), [
      'services.web.command: expected a string or a list, got a mapping',
    ]);
    assert.deepEqual(web('volumes: [{type: tmpfs, target: /t}]'), [
      'services.web.volumes[0].type: unsupported value "tmpfs"; expected "volume" or "bind"',
    ]);
  });
});

describe('service checks', () => {
  it('requires services, at least one, each with an image', () => {
    assert.deepEqual(problemsOf('networks: {}\n'), ['services: required']);
    assert.deepEqual(problemsOf('services: {}\n'), ['services: at least one service is required']);
    assert.deepEqual(problemsOf('services: {web: {command: x}}\n'), ['services.web.image: required']);
    assert.deepEqual(problemsOf('services: {web: {image: " "}}\n'), [
      'services.web.image: must not be empty',
    ]);
  });

  it('checks names of services, networks, volumes and the stack', () => {
    const pattern = 'use letters, digits, "_", "." and "-", starting with a letter or digit';
    assert.deepEqual(
      problemsOf('name: My App\nservices: {"-web": {image: x}}\nnetworks: {"a b": }\nvolumes: {".v": }\n'),
      [
        'name: "My App" is not a valid stack name: lower-case letters, digits, "_" and "-", at most 63',
        `services.-web: "-web" is not a valid name: ${pattern}`,
        `networks.a b: "a b" is not a valid name: ${pattern}`,
        `volumes..v: ".v" is not a valid name: ${pattern}`,
      ],
    );
  });

  it('checks replicas and ports', () => {
    assert.deepEqual(web('deploy: {replicas: "2"}'), [
      'services.web.deploy.replicas: expected a number, got "2"',
    ]);
    for (const bad of ['-1', '1001', '1.5']) {
      assert.deepEqual(web(`deploy: {replicas: ${bad}}`), [
        'services.web.deploy.replicas: must be a whole number from 0 to 1000',
      ]);
    }
    assert.deepEqual(
      web('ports: ["70000:80", "8080:0", 65536, {target: 80, published: 0}, "1000-1001:80", "80/sctp"]'),
      [
        'services.web.ports[0]: published port 70000 is out of range (1-65535)',
        'services.web.ports[1]: container port 0 is out of range (1-65535)',
        'services.web.ports[2]: container port 65536 is out of range (1-65535)',
        'services.web.ports[3]: published port 0 is out of range (1-65535)',
        'services.web.ports[4]: port ranges are not supported (published port "1000-1001")',
        'services.web.ports[5]: unsupported protocol "sctp" (tcp or udp)',
      ],
    );
  });

  it('checks stop_grace_period and stop_signal', () => {
    assert.deepEqual(web('stop_grace_period: soon'), [
      'services.web.stop_grace_period: "soon" is not a duration',
    ]);
    assert.deepEqual(web('stop_signal: "kill -9"'), [
      'services.web.stop_signal: expected a signal name such as SIGINT, or a number',
    ]);
  });

  it('checks durations, healthcheck tests and restart policies', () => {
    assert.deepEqual(web('healthcheck: {interval: abc, timeout: 5, start_period: 1d}'), [
      'services.web.healthcheck.interval: "abc" is not a duration',
      'services.web.healthcheck.timeout: 5 is not a duration',
      'services.web.healthcheck.start_period: "1d" is not a duration',
    ]);
    assert.deepEqual(web('healthcheck: {test: [curl, x]}'), [
      'services.web.healthcheck.test: expected ["CMD", arg...], ["CMD-SHELL", command] or ["NONE"], got ["curl","x"]',
    ]);
    assert.deepEqual(web('healthcheck: {test: x, disable: true}'), [
      'services.web.healthcheck.disable: disable: true and test cannot both be set',
    ]);
    assert.deepEqual(web('healthcheck: {retries: -1}'), [
      'services.web.healthcheck.retries: must not be negative',
    ]);
    assert.deepEqual(web('restart: always:3'), [
      'services.web.restart: "always:3" is not a restart policy (no, always, on-failure[:N], unless-stopped)',
    ]);
  });

  it('checks volumes', () => {
    assert.deepEqual(web('volumes: [/data, "./d:/d", "v:d", "v:/d:z", {type: volume, target: /x}]'), [
      'services.web.volumes[0]: anonymous volume "/data" is not supported; name it, as in "data:/data"',
      'services.web.volumes[1]: bind source "./d" must be an absolute host path',
      'services.web.volumes[2]: target "d" must be an absolute path',
      'services.web.volumes[3]: unsupported volume option "z" in "v:/d:z" (ro or rw)',
      'services.web.volumes[4]: anonymous volume "/x" is not supported; give it a source',
    ]);
    assert.deepEqual(web('volumes: ["data:/data", {type: volume, source: logs, target: /l}]'), [
      'services.web.volumes[0]: volume "data" is not declared in the top-level volumes',
      'services.web.volumes[1]: volume "logs" is not declared in the top-level volumes',
    ]);
  });

  it('checks networks, labels, commands and top-level resources', () => {
    assert.deepEqual(web('networks: [default, back]'), [
      'services.web.networks: network "back" is not declared in the top-level networks',
    ]);
    assert.deepEqual(web('labels: {io.graphium.stack: other}'), [
      'services.web.labels.io.graphium.stack: labels under "io.graphium." are reserved',
    ]);
    assert.deepEqual(web('command: "echo \\"unterminated"'), [
      'services.web.command: unterminated double quote',
    ]);
    assert.deepEqual(
      problemsOf(
        'services: {web: {image: x}}\nnetworks: {n: {name: x}}\nvolumes: {v: {external: true, driver: local}}\n',
      ),
      [
        'networks.n.name: only an external resource may set name',
        'volumes.v.driver: an external resource cannot set driver',
      ],
    );
  });

  it('checks placement constraint syntax', () => {
    assert.deepEqual(
      web(
        'deploy: {placement: {constraints: ["node.role == manager", "engine.labels.a == b", "node.hostname = a", "node.id =="]}}',
      ),
      [
        'services.web.deploy.placement.constraints[0]: unsupported constraint "node.role == manager"; use node.hostname, node.id or node.labels.<key> with == or !=',
        'services.web.deploy.placement.constraints[1]: unsupported constraint "engine.labels.a == b"; use node.hostname, node.id or node.labels.<key> with == or !=',
        'services.web.deploy.placement.constraints[2]: unsupported constraint "node.hostname = a"; use node.hostname, node.id or node.labels.<key> with == or !=',
        'services.web.deploy.placement.constraints[3]: unsupported constraint "node.id =="; use node.hostname, node.id or node.labels.<key> with == or !=',
      ],
    );
  });
});

describe('depends_on checks', () => {
  it('names unknown services and self-dependencies', () => {
    assert.deepEqual(problemsOf('services:\n  api: {image: a, depends_on: [db]}\n'), [
      'services.api.depends_on: unknown service "db"',
    ]);
    assert.deepEqual(problemsOf('services:\n  api: {image: a, depends_on: {api: {}}}\n'), [
      'services.api.depends_on: service "api" depends on itself',
    ]);
  });

  it('names the services of each cycle', () => {
    assert.deepEqual(
      problemsOf(`
services:
  web: {image: w, depends_on: [api]}
  api: {image: a, depends_on: [worker]}
  worker: {image: k, depends_on: [web]}
  x: {image: x, depends_on: [y]}
  y: {image: y, depends_on: [x]}
  z: {image: z, depends_on: [x]}
  ok: {image: o}
`),
      [
        'services.web.depends_on: dependency cycle: web -> api -> worker -> web',
        'services.x.depends_on: dependency cycle: x -> y -> x',
      ],
    );
  });
});
