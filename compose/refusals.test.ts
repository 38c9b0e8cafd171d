// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose interpolation (${VAR}) is what these tests are about.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComposeError } from './compose-errors.js';
import { loadProject } from './load-project.js';
import { memoryReader } from './project-reader.js';
import { loadComposeDocument, parseStackDefinition } from './single-document.js';
import { parseComposeText } from './yaml.js';

// Every refusal names its key path and says why, as users see it (`path: message`), all at once.

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ComposeError, `expected ComposeError, got ${error}`);
    return error.issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  }
  assert.fail('expected a ComposeError');
}
const problemsOf = (yaml: string) => problems(() => parseStackDefinition(yaml, 'yaml'));
/** A one-service document whose service `web` has the given extra YAML (flow-style) keys. */
const web = (keys: string) => problemsOf(`services:\n  web: {image: x, ${keys}}\n`);

const NOT_ACROSS = 'which exists on one host only, while Graphium places services independently';

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
      problems(() => loadComposeDocument('42', 'json')),
      ['a Compose document must be a mapping with "services", got a number'],
    );
  });

  it('summarises all issues in the message', () => {
    assert.throws(() => parseStackDefinition('services:\n  web: {image: x, foo: 1, bar: 2}\n', 'yaml'), {
      name: 'ComposeError',
      message:
        '2 problems in the Compose project: services.web.foo: unknown key "foo": it is not in the Compose Specification (a typo?); ' +
        'services.web.bar: unknown key "bar": it is not in the Compose Specification (a typo?)',
    });
  });
});

describe('the schema', () => {
  it('names unknown keys and wrong types at their key', () => {
    assert.deepEqual(web('imagee: y'), [
      'services.web.imagee: unknown key "imagee": it is not in the Compose Specification (a typo?)',
    ]);
    assert.deepEqual(web('ports: [true]'), [
      'services.web.ports[0]: expected a number, a string or a mapping, got true',
    ]);
    assert.deepEqual(web('environment: [1]'), ['services.web.environment[0]: expected a string, got 1']);
    assert.deepEqual(web('environment: {A: [1]}'), [
      'services.web.environment.A: expected a string, a number, true or false or null, got a list',
    ]);
    assert.deepEqual(web('command: {a: 1}'), [
      'services.web.command: expected null, a string or a list, got a mapping',
    ]);
    assert.deepEqual(web('healthcheck: {timeout: 5}'), [
      'services.web.healthcheck.timeout: expected a string, got 5',
    ]);
    assert.deepEqual(problemsOf('services: {web: {image: x}}\nnetworks: {"a b": }\n'), [
      'networks.a b: "a b" is not a valid name: use letters, digits, "_", "." and "-"',
    ]);
    assert.deepEqual(problemsOf('services: {web: {image: x}}\nvolumes: 3\n'), [
      'volumes: expected a mapping, got 3',
    ]);
  });
});

describe('the policy table', () => {
  it('refuses keys that cannot work across hosts, saying why', () => {
    assert.deepEqual(web('volumes_from: [db]'), [
      `services.web.volumes_from: not supported: it joins another container, ${NOT_ACROSS}`,
    ]);
    assert.deepEqual(web('network_mode: "service:vpn"'), [
      `services.web.network_mode: "service:vpn" joins another container's network namespace, ${NOT_ACROSS}`,
    ]);
    assert.deepEqual(web('pid: "container:abc"'), [
      `services.web.pid: pid: "container:abc" joins another container's namespace, ${NOT_ACROSS}`,
    ]);
    assert.deepEqual(
      problemsOf('services: {web: {image: x, secrets: [s]}}\nsecrets: {s: {external: true}}\n'),
      [
        'secrets.s.external: not supported: an external secret lives in a Swarm store that Graphium hosts do not share; give it a `file:` or `environment:`',
      ],
    );
    assert.deepEqual(
      problemsOf('services: {web: {image: x}}\njobs: {j: {image: x, triggers: {manual: true}}}\n'),
      [
        'jobs: not supported: jobs (containers run on triggers) are not implemented by Graphium yet; they would never run',
      ],
    );
    assert.deepEqual(web('build: {context: ., ssh: [default]}'), [
      'services.web.build.ssh: not supported: an SSH agent of the machine running the CLI does not exist on the hosts that build',
      'services.web.build.dockerfile: no Dockerfile "Dockerfile" in the build context "."',
    ]);
  });

  it('warns about ignored keys and lists admin-only keys without refusing them', () => {
    const loaded = loadComposeDocument(
      'version: "3.9"\nservices:\n  web:\n    image: x\n    privileged: true\n    cap_add: [NET_ADMIN]\n    ports: [{target: 80, mode: host}]\n    develop: {watch: [{path: ., action: sync, target: /app}]}\n',
    );
    assert.deepEqual(
      loaded.warnings.map((w) => w.path),
      ['version', 'services.web.ports[0].mode', 'services.web.develop'],
    );
    assert.match(loaded.warnings[0]!.message, /^ignored: obsolete/);
    assert.deepEqual(
      loaded.adminOnly.map((w) => w.path),
      ['services.web.privileged', 'services.web.cap_add'],
    );
    assert.equal(loadComposeDocument('services: {web: {image: x, privileged: false}}\n').adminOnly.length, 0);
  });
});

describe('service checks', () => {
  it('requires services, each with an image or a build', () => {
    assert.deepEqual(problemsOf('networks: {}\n'), [
      'services: at least one service is required (with the active profiles)',
    ]);
    assert.deepEqual(problemsOf('services: {web: {command: x}}\n'), [
      'services.web.image: required: a service needs an image or a build',
    ]);
  });

  it('checks replicas, container_name and fixed addresses against each other', () => {
    assert.deepEqual(web('deploy: {replicas: -1}'), [
      'services.web.deploy.replicas: -1 is not a whole number (0 or more)',
    ]);
    assert.deepEqual(web('deploy: {replicas: 1001}'), [
      'services.web.deploy.replicas: must be a whole number from 0 to 1000',
    ]);
    assert.deepEqual(web('deploy: {replicas: 2}, scale: 3'), [
      'services.web.scale: scale (3) and deploy.replicas (2) disagree; set one',
    ]);
    assert.deepEqual(web('container_name: web1, deploy: {replicas: 2}'), [
      'services.web.container_name: a fixed container name allows one replica only, and this service has 2; remove container_name or run one replica',
    ]);
    assert.deepEqual(web('scale: 2, networks: {default: {ipv4_address: 10.1.0.5}}'), [
      'services.web.networks.default.ipv4_address: a fixed address allows one replica only; remove it or run one replica',
    ]);
    assert.deepEqual(web('deploy: {mode: global}'), [
      'services.web.deploy.mode: mode "global" is not supported: Graphium runs a replica count (replicated) on the hosts placement picks',
    ]);
  });

  it('checks ports', () => {
    assert.deepEqual(
      web('ports: ["70000:80", "8080:0", 65536, {target: 80, published: 0}, "1000-1001:80", "80/sctp"]'),
      [
        'services.web.ports[0]: published port 70000 is out of range (1-65535)',
        'services.web.ports[1]: container port 0 is out of range (1-65535)',
        'services.web.ports[2]: container port 65536 is out of range (1-65535)',
        'services.web.ports[3]: published port 0 is out of range (1-65535)',
        'services.web.ports[4]: "1000-1001:80": the published and container ranges differ in size',
        'services.web.ports[5]: unsupported protocol "sctp" (tcp or udp)',
      ],
    );
  });

  it('checks durations, signals, healthchecks and restart policies', () => {
    assert.deepEqual(web('stop_grace_period: soon'), [
      'services.web.stop_grace_period: "soon" is not a duration (such as 30s or 1m30s)',
    ]);
    assert.deepEqual(web('stop_signal: "kill -9"'), [
      'services.web.stop_signal: expected a signal name such as SIGINT, or a number',
    ]);
    assert.deepEqual(web('healthcheck: {interval: abc, start_period: 1d}'), [
      'services.web.healthcheck.interval: "abc" is not a duration (such as 30s or 1m30s)',
      'services.web.healthcheck.start_period: "1d" is not a duration (such as 30s or 1m30s)',
    ]);
    assert.deepEqual(web('healthcheck: {test: [curl, x]}'), [
      'services.web.healthcheck.test: expected ["CMD", arg...], ["CMD-SHELL", command] or ["NONE"], got ["curl","x"]',
    ]);
    assert.deepEqual(web('healthcheck: {test: x, disable: true}'), [
      'services.web.healthcheck.disable: disable: true and test cannot both be set',
    ]);
    assert.deepEqual(web('restart: always:3'), [
      'services.web.restart: "always:3" is not a restart policy (no, always, on-failure[:N], unless-stopped)',
    ]);
    assert.deepEqual(web('pull_policy: sometimes'), [
      'services.web.pull_policy: "sometimes" is not a valid value here (the Compose Specification wants ^(always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+)$)',
    ]);
  });

  it('checks volumes: paths that cannot travel, undeclared names, unknown options', () => {
    assert.deepEqual(
      web('volumes: ["../d:/d", "v:d", "v:/d:q", "~root/x:/x", {type: npipe, source: a, target: /x}]'),
      [
        'services.web.volumes[0]: bind source "../d" is outside the project directory, so it cannot travel to other hosts; move it into the project',
        'services.web.volumes[1]: volume "v" is not declared in the top-level volumes',
        'services.web.volumes[2]: unsupported volume option "q" in "v:/d:q" (ro, rw, nocopy)',
        'services.web.volumes[3]: bind source "~root/x" is in another user\'s home directory, which the hosts do not have; use a path inside the project',
        'services.web.volumes[4].type: volume type "npipe" cannot be used by Graphium (volume, bind or tmpfs): named pipes exist on Windows hosts only',
      ],
    );
  });

  it('checks networks, labels, commands, secrets and builds', () => {
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
      problemsOf('services: {web: {image: x, secrets: [s, t]}}\nsecrets: {s: {file: ./nope.txt}}\n'),
      [
        'secrets.s.file: file "./nope.txt" not found in the project',
        'services.web.secrets[1]: secret "t" is not declared in the top-level secrets',
      ],
    );
    assert.deepEqual(web('build: ./nope'), [
      'services.web.build.context: build context "./nope" is not a directory of the project',
    ]);
    assert.deepEqual(web('build: "https://github.com/example/app.git"'), [
      'services.web.build.context: a remote build context ("https://github.com/example/app.git") is not supported: the hosts build from the project\'s files; put the sources in the project',
    ]);
    assert.deepEqual(web('network_mode: host, networks: [default]'), [
      'services.web.network_mode: network_mode and networks cannot both be set',
    ]);
  });

  it('checks interpolation', () => {
    assert.deepEqual(web('environment: {A: "${X:?X must be set}", B: "$1"}'), [
      'services.web.environment.A: required variable X is missing a value: X must be set',
      'services.web.environment.B: invalid interpolation format in "$1": "$" must start a variable ($VAR or ${VAR}); write "$$" for a literal "$"',
    ]);
  });

  it('checks placement constraint syntax', () => {
    assert.deepEqual(
      web('deploy: {placement: {constraints: ["node.role == manager", "node.hostname = a"]}}'),
      [
        'services.web.deploy.placement.constraints[0]: unsupported constraint "node.role == manager"; use node.hostname, node.id or node.labels.<key> with == or !=',
        'services.web.deploy.placement.constraints[1]: unsupported constraint "node.hostname = a"; use node.hostname, node.id or node.labels.<key> with == or !=',
      ],
    );
  });

  it('names files that are missing or outside the project', () => {
    const reader = memoryReader({ 'compose.yaml': 'services: {web: {image: x, env_file: [app.env]}}\n' });
    assert.deepEqual(
      problems(() => loadProject(reader, { files: ['compose.yaml', 'other.yaml'] })),
      ['Compose file "other.yaml" not found in the project'],
    );
    assert.deepEqual(
      problems(() => loadProject(reader, { files: ['compose.yaml'], envFiles: ['prod.env'] })),
      ['env file "prod.env" not found in the project'],
    );
    assert.deepEqual(
      problems(() => loadProject(reader, { files: ['compose.yaml'] })),
      [
        'services.web.env_file[0]: env file "./app.env" not found in the project (set required: false if it is optional)',
      ],
    );
  });
});

describe('depends_on checks', () => {
  it('names unknown services, self-dependencies and cycles', () => {
    assert.deepEqual(problemsOf('services:\n  api: {image: a, depends_on: [db]}\n'), [
      'services.api.depends_on: unknown service "db" (not defined, or its profile is not active)',
    ]);
    assert.deepEqual(
      problemsOf('services:\n  api: {image: a, depends_on: {api: {condition: service_started}}}\n'),
      ['services.api.depends_on: service "api" depends on itself'],
    );
    assert.deepEqual(
      problemsOf(`
services:
  web: {image: w, depends_on: [api]}
  api: {image: a, depends_on: [worker]}
  worker: {image: k, depends_on: [web]}
  x: {image: x, depends_on: [y]}
  y: {image: y, depends_on: [x]}
  ok: {image: o}
`),
      [
        'services.web.depends_on: dependency cycle: web -> api -> worker -> web',
        'services.x.depends_on: dependency cycle: x -> y -> x',
      ],
    );
  });
});
