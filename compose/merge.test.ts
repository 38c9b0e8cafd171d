import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ComposeError } from './compose-errors.js';
import { loadProject } from './load-project.js';
import { mergeDocuments } from './merge.js';
import { memoryReader } from './project-reader.js';
import { parseComposeText } from './yaml.js';

// Table tests re-expressing the Compose Specification's merge section and `extends`: two files,
// the merged model expected, then the same through loadProject as `-f a -f b`.

const yaml = (text: string) => parseComposeText(text, 'yaml');
const merged = (base: string, override: string) =>
  mergeDocuments(mergeDocuments({}, yaml(base)), yaml(override));

describe('merging Compose files (specification examples, re-expressed)', () => {
  const cases: [string, string, string, unknown][] = [
    [
      'mappings add missing entries and replace conflicting ones',
      'services: {app: {image: a, hostname: one}}',
      'services: {app: {hostname: two, user: "1000"}}',
      { services: { app: { image: 'a', hostname: 'two', user: '1000' } } },
    ],
    [
      'sequences append',
      'services: {app: {dns: [1.1.1.1]}}',
      'services: {app: {dns: [8.8.8.8]}}',
      { services: { app: { dns: ['1.1.1.1', '8.8.8.8'] } } },
    ],
    [
      'command, entrypoint and healthcheck.test are replaced, not appended',
      'services: {app: {command: [echo, a], entrypoint: [sh], healthcheck: {test: [CMD, a], interval: 5s}}}',
      'services: {app: {command: [echo, b], entrypoint: [bash], healthcheck: {test: [CMD, b]}}}',
      {
        services: {
          app: {
            command: ['echo', 'b'],
            entrypoint: ['bash'],
            healthcheck: { test: ['CMD', 'b'], interval: '5s' },
          },
        },
      },
    ],
    [
      'volumes are unique by target: the later one wins',
      'services: {app: {volumes: ["data:/work", "logs:/logs"]}}',
      'services: {app: {volumes: ["other:/work"]}}',
      { services: { app: { volumes: ['other:/work', 'logs:/logs'] } } },
    ],
    [
      'ports are unique by address, published port, target and protocol',
      'services: {app: {ports: ["8080:80", "9090:90"]}}',
      'services: {app: {ports: ["8080:80", "8443:443"]}}',
      { services: { app: { ports: ['8080:80', '9090:90', '8443:443'] } } },
    ],
    [
      'secrets and configs are unique by target',
      'services: {app: {secrets: [token], configs: [{source: a, target: /etc/a}]}}',
      'services: {app: {secrets: [{source: token, target: /run/secrets/token, mode: 0400}], configs: [{source: b, target: /etc/a}]}}',
      {
        services: {
          app: {
            secrets: [{ source: 'token', target: '/run/secrets/token', mode: 0o400 }],
            configs: [{ source: 'b', target: '/etc/a' }],
          },
        },
      },
    ],
    [
      'environment and labels merge as mappings, whichever form each file uses',
      'services: {app: {environment: [A=1, B=2], labels: {x: "1"}}}',
      'services: {app: {environment: {B: "3", C: "4"}, labels: [y=2]}}',
      { services: { app: { environment: { A: '1', B: '3', C: '4' }, labels: { x: '1', y: '2' } } } },
    ],
    [
      'depends_on and networks merge as mappings',
      'services: {app: {depends_on: [db], networks: [front]}}',
      'services: {app: {depends_on: {cache: {condition: service_healthy}}, networks: {back: {aliases: [api]}}}}',
      {
        services: {
          app: {
            depends_on: { db: { condition: 'service_started' }, cache: { condition: 'service_healthy' } },
            networks: { front: null, back: { aliases: ['api'] } },
          },
        },
      },
    ],
    [
      'build as a string merges with build as a mapping',
      'services: {app: {build: ./app}}',
      'services: {app: {build: {target: prod, args: [A=1]}}}',
      { services: { app: { build: { context: './app', target: 'prod', args: { A: '1' } } } } },
    ],
    [
      '!reset removes what the earlier file set',
      'services: {app: {image: a, ports: ["8080:80"], environment: {FOO: BAR, KEEP: "1"}}}',
      'services: {app: {ports: !reset [], environment: {FOO: !reset null}}}',
      { services: { app: { image: 'a', environment: { KEEP: '1' } } } },
    ],
    [
      '!override replaces without merging',
      'services: {app: {image: a, ports: ["8080:80"]}}',
      'services: {app: {ports: !override ["8443:443"]}}',
      { services: { app: { image: 'a', ports: ['8443:443'] } } },
    ],
    [
      'top-level resources merge entry by entry',
      'volumes: {data: {driver: local}}\nnetworks: {front: {}}',
      'volumes: {data: {labels: {a: b}}, logs: {}}',
      { volumes: { data: { driver: 'local', labels: { a: 'b' } }, logs: {} }, networks: { front: {} } },
    ],
  ];
  for (const [name, base, override, expected] of cases) {
    it(name, () => assert.deepEqual(merged(base, override), expected));
  }

  it('merges -f files in order through loadProject, paths relative to the project directory', () => {
    const reader = memoryReader({
      'compose.yaml': 'services:\n  web:\n    image: web:1\n    volumes: ["./html:/usr/share/html"]\n',
      'deploy/prod.yaml': 'services:\n  web:\n    image: web:2\n    volumes: ["./conf:/etc/conf:ro"]\n',
      'html/index.html': 'hi',
      'conf/a.conf': 'a',
    });
    const { spec } = loadProject(reader, { files: ['compose.yaml', 'deploy/prod.yaml'] });
    const web = spec.services[0]!;
    assert.equal(web.image, 'web:2');
    assert.deepEqual(
      web.mounts.map((m) => [m.type, m.source, m.target]),
      [
        ['bundle', 'html', '/usr/share/html'],
        ['bundle', 'conf', '/etc/conf'],
      ],
    );
  });
});

describe('extends (specification examples, re-expressed)', () => {
  const load = (files: Record<string, string>) =>
    loadProject(memoryReader(files), { files: ['compose.yaml'] }).spec;

  it('extends a service of the same file, the extending service winning', () => {
    const spec = load({
      'compose.yaml': `
services:
  common:
    image: busybox
    environment: {TZ: utc, PORT: "80"}
    command: [sleep, "60"]
  cli:
    extends: common
    environment: {PORT: "8080"}
    command: [sleep, "3600"]
`,
    });
    const cli = spec.services.find((s) => s.name === 'cli')!;
    assert.equal(cli.image, 'busybox');
    assert.deepEqual(cli.environment, { TZ: 'utc', PORT: '8080' });
    assert.deepEqual(cli.command, ['sleep', '3600']);
  });

  it('extends a service of another file, whose relative paths stay relative to that file', () => {
    const spec = load({
      'compose.yaml':
        'services:\n  web:\n    extends:\n      file: shared/base.yaml\n      service: webapp\n    ports: ["80:80"]\n',
      'shared/base.yaml':
        'services:\n  webapp:\n    image: nginx\n    env_file: web.env\n    volumes: ["./site:/srv"]\n',
      'shared/web.env': 'FROM_FILE=1\n',
      'shared/site/index.html': 'x',
    });
    const web = spec.services[0]!;
    assert.equal(web.image, 'nginx');
    assert.deepEqual(web.environment, { FROM_FILE: '1' });
    assert.deepEqual(web.mounts[0], {
      type: 'bundle',
      source: 'shared/site',
      target: '/srv',
      readOnly: false,
      createHostPath: true,
    });
    assert.deepEqual(
      spec.bundle!.files.map((f) => f.path),
      ['compose.yaml', 'shared/base.yaml', 'shared/site/index.html', 'shared/web.env'],
    );
  });

  it('follows chains of extends and names cycles and missing bases', () => {
    const spec = load({
      'compose.yaml':
        'services:\n  a: {image: x, labels: {a: "1"}}\n  b: {extends: a, labels: {b: "1"}}\n  c: {extends: {service: b}}\n',
    });
    assert.deepEqual(spec.services.find((s) => s.name === 'c')!.labels, { a: '1', b: '1' });
    const problems = (text: string) => {
      try {
        load({ 'compose.yaml': text });
      } catch (error) {
        return (error as ComposeError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    assert.deepEqual(problems('services:\n  a: {image: x, extends: b}\n  b: {image: y, extends: a}\n'), [
      'services.a.extends: extends cycle: a -> b -> a',
      'services.b.extends: extends cycle: b -> a -> b',
    ]);
    assert.deepEqual(problems('services:\n  a: {extends: nothing}\n'), [
      'services.a.extends.service: service "nothing" does not exist',
    ]);
    assert.deepEqual(problems('services:\n  a: {extends: {file: ../outside.yaml, service: x}}\n'), [
      'services.a.extends.file: "../outside.yaml" is outside the project directory, so it cannot travel to the hosts',
    ]);
  });
});
