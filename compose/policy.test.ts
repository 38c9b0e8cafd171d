import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { fileSystemReader } from '../cli/project-files.js';
import { ComposeError } from './compose-errors.js';
import { loadProject } from './load-project.js';
import { composePolicy, policyFor } from './policy.js';
import { memoryReader, type ProjectReader } from './project-reader.js';
import { schemaKeyPaths } from './schema-keys.js';
import { loadComposeDocument } from './single-document.js';

// The policy table and the code agree: the table names every key of the Compose Specification, and
// the normalizer uses exactly the keys the table calls supported or admin. The kitchen-sink project
// sets every such key (and every ignored one) to a value that is not the default; removing a key must
// change the result when the table says it is used, and change nothing but a warning when ignored.

const SINK = join(import.meta.dirname, '..', 'test', 'fixtures', 'compose', 'kitchen-sink');

/** Keys whose only valid value is the default, so removing them cannot change anything. */
const DEFAULT_ONLY = new Map([
  ['services.*.deploy.mode', 'only `replicated` is accepted, and it is the default'],
]);

type Tree = Record<string, unknown>;

/** Where a key pattern (`services.*.ports.mode`) first occurs in a document: the path to delete. */
function findKey(
  value: unknown,
  pattern: string[],
  path: (string | number)[] = [],
): (string | number)[] | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findKey(item, pattern, [...path, index]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null || pattern.length === 0) return undefined;
  const [head, ...rest] = pattern as [string, ...string[]];
  const keys = head === '*' ? Object.keys(value) : Object.hasOwn(value, head) ? [head] : [];
  for (const key of keys) {
    if (rest.length === 0) return [...path, key];
    const found = findKey((value as Tree)[key], rest, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function without(document: Tree, path: (string | number)[]): Tree {
  const copy = structuredClone(document);
  let at: Tree = copy;
  for (const segment of path.slice(0, -1)) at = at[segment as string] as Tree;
  delete at[path.at(-1) as string];
  return copy;
}

/** The sink's files, with compose.yaml replaced by `document` (JSON is YAML). */
function sinkReader(document: Tree): ProjectReader {
  const disk = fileSystemReader(SINK);
  const text = new TextEncoder().encode(JSON.stringify(document));
  return {
    read: (path) => (path === 'compose.yaml' ? { content: text, mode: 0o644 } : disk.read(path)),
    isDirectory: (path) => disk.isDirectory(path),
    list: (dir) => disk.list(dir),
  };
}

interface Outcome {
  spec: string;
  errors: string[];
  adminOnly: string[];
  warnings: string[];
}

function outcome(document: Tree): Outcome {
  try {
    const loaded = loadProject(sinkReader(document), { files: ['compose.yaml'] });
    // compose.yaml's own digest changes with every edit; the rest of the bundle must not.
    const files = loaded.spec.bundle!.files.filter((file) => file.path !== 'compose.yaml');
    return {
      spec: JSON.stringify({ ...loaded.spec, bundle: files }),
      errors: [],
      adminOnly: loaded.adminOnly.map((issue) => issue.path),
      warnings: loaded.warnings.map((issue) => issue.path),
    };
  } catch (error) {
    if (!(error instanceof ComposeError)) throw error;
    return {
      spec: '',
      errors: error.issues.map((i) => `${i.path}: ${i.message}`),
      adminOnly: [],
      warnings: [],
    };
  }
}

describe('the policy table', () => {
  const schemaKeys = schemaKeyPaths();

  it('names every key of the Compose Specification schema, and only those', () => {
    const tableKeys = Object.keys(composePolicy);
    const uncovered = schemaKeys.filter((key) => {
      const entry = policyFor(key);
      if (!entry) return true;
      // An entry covers its subtree only when the table lists nothing under it.
      return entry.key !== key && tableKeys.some((other) => other.startsWith(`${entry.key}.`));
    });
    assert.deepEqual(uncovered, [], 'schema keys the policy table does not decide');
    const stale = tableKeys.filter((key) => !schemaKeys.includes(key));
    assert.deepEqual(stale, [], 'table entries that are not schema keys');
    for (const [key, policy] of Object.entries(composePolicy)) {
      // A supported key says what it maps to; the others say why, in a sentence.
      assert.ok(policy.why.length > (policy.status === 'supported' ? 0 : 15), `${key} says why`);
    }
  });

  it('the kitchen-sink project loads and uses every supported, admin and ignored key', () => {
    const document = parse(readFileSync(join(SINK, 'compose.yaml'), 'utf8')) as Tree;
    const base = outcome(document);
    assert.deepEqual(base.errors, []);
    const missing = Object.entries(composePolicy)
      .filter(([, policy]) => policy.status !== 'refused')
      .filter(([key]) => !findKey(document, key.split('.')) && !key.startsWith('services.*.pre_start'))
      .map(([key]) => key);
    assert.deepEqual(missing, [], 'keys the kitchen sink does not set yet');
  });

  it('the normalizer uses exactly the keys the table calls supported or admin', () => {
    const document = parse(readFileSync(join(SINK, 'compose.yaml'), 'utf8')) as Tree;
    const base = outcome(document);
    const disagreements: string[] = [];
    for (const [key, policy] of Object.entries(composePolicy)) {
      if (policy.status === 'refused' || DEFAULT_ONLY.has(key)) continue;
      const path = findKey(document, key.split('.'));
      if (!path) continue;
      const after = outcome(without(document, path));
      const changed =
        after.spec !== base.spec ||
        after.errors.length > 0 ||
        after.adminOnly.join() !== base.adminOnly.join();
      if (policy.status === 'ignored') {
        if (changed) disagreements.push(`${key} is ignored, but removing it changes the stack`);
        if (after.warnings.length >= base.warnings.length)
          disagreements.push(`${key} is ignored, but without it there is no warning less`);
      } else if (!changed) {
        disagreements.push(`${key} is ${policy.status}, but removing it changes nothing`);
      }
    }
    assert.deepEqual(disagreements, []);
  });

  it('refuses every refused key, naming it and saying why', () => {
    // One use of each refused key, in the shape users write it.
    const samples: Record<string, string> = {
      'services.*.build.additional_contexts': 'build: {context: ., additional_contexts: {src: ../src}}',
      'services.*.build.entitlements': 'build: {context: ., entitlements: [network.host]}',
      'services.*.build.privileged': 'build: {context: ., privileged: true}',
      'services.*.build.secrets': 'build: {context: ., secrets: [npmrc]}',
      'services.*.build.ssh': 'build: {context: ., ssh: [default]}',
      'services.*.device_cgroup_rules': 'device_cgroup_rules: ["c 1:3 mr"]',
      'services.*.gpus': 'gpus: all',
      'services.*.models': 'models: [llm]',
      'services.*.use_api_socket': 'use_api_socket: true',
      'services.*.uts': 'uts: host',
      'services.*.volumes.image':
        'volumes: [{type: image, source: example/data, target: /d, image: {subpath: x}}]',
      'services.*.volumes.volume.subpath':
        'volumes: [{type: volume, source: v, target: /d, volume: {subpath: a}}]',
      'services.*.volumes_from': 'volumes_from: [other]',
      'services.*.deploy.placement.max_replicas_per_node': 'deploy: {placement: {max_replicas_per_node: 1}}',
      'services.*.deploy.resources.reservations.devices':
        'deploy: {resources: {reservations: {devices: [{capabilities: [gpu]}]}}}',
      'services.*.deploy.resources.reservations.generic_resources':
        'deploy: {resources: {reservations: {generic_resources: [{discrete_resource_spec: {kind: gpu, value: 1}}]}}}',
      'services.*.external_links': 'external_links: [redis_1]',
      'services.*.post_start': 'post_start: [{command: ["echo", "hi"]}]',
      'services.*.pre_start': 'pre_start: [{command: ["echo", "hi"]}]',
      'services.*.pre_stop': 'pre_stop: [{command: ["echo", "bye"]}]',
      'services.*.provider': 'provider: {type: model, options: {model: ai/smollm2}}',
    };
    const topSamples: Record<string, string> = {
      models: 'models: {llm: {model: ai/smollm2}}',
      jobs: 'jobs: {nightly: {image: x, triggers: {manual: true}}}',
      'secrets.*.driver': 'secrets: {s: {file: ./s, driver: vault}}',
      'secrets.*.driver_opts': 'secrets: {s: {file: ./s, driver_opts: {a: b}}}',
      'secrets.*.external': 'secrets: {s: {external: true}}',
      'secrets.*.template_driver': 'secrets: {s: {file: ./s, template_driver: golang}}',
      'configs.*.external': 'configs: {c: {external: true}}',
      'configs.*.template_driver': 'configs: {c: {file: ./c, template_driver: golang}}',
    };
    const refused = Object.entries(composePolicy).filter(([, p]) => p.status === 'refused');
    const untested = refused.map(([key]) => key).filter((key) => !samples[key] && !topSamples[key]);
    assert.deepEqual(untested, [], 'refused keys without a sample');
    for (const [key, policy] of refused) {
      const yaml = samples[key]
        ? `services:\n  web: {image: x, ${samples[key]}}\nvolumes: {v: {}}\n`
        : `services:\n  web: {image: x}\n${topSamples[key]}\n`;
      const reader = memoryReader({ 'compose.yaml': yaml, s: 'secret', c: 'config' });
      let issues: string[] = [];
      try {
        loadProject(reader, { files: ['compose.yaml'] });
      } catch (error) {
        assert.ok(error instanceof ComposeError);
        issues = error.issues.map((i) => `${i.path}: ${i.message}`);
      }
      const concrete = key
        .replace('services.*', 'services.web')
        .replace(/^(secrets|configs)\.\*/, (m) => m.replace('*', m.startsWith('s') ? 's' : 'c'));
      const expected = `${concrete.replace('.volumes.', '.volumes[0].').replace('.reservations.devices', '.reservations.devices')}`;
      assert.ok(
        issues.some(
          (issue) =>
            issue.startsWith(expected.split('.volumes[0]')[0]!) &&
            issue.includes(`not supported: ${policy.why}`),
        ),
        `${key}: expected a refusal that names it and says "${policy.why}", got ${JSON.stringify(issues)}`,
      );
    }
  });

  it('is documented in docs/compose.md, every key with its status', () => {
    // Table cells are padded to line up; compare with single spaces.
    const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'compose.md'), 'utf8').replace(
      / +/g,
      ' ',
    );
    const undocumented = Object.entries(composePolicy)
      .filter(([key, policy]) => !doc.includes(`| \`${key}\` | ${policy.status} |`))
      .map(([key]) => key);
    assert.deepEqual(undocumented, [], 'run the table generator in docs/compose.md again');
  });

  it('lets an admin-only key through, listed in adminOnly with its path and why', () => {
    const loaded = loadComposeDocument('services: {web: {image: x, cap_add: [SYS_TIME]}}\n');
    assert.deepEqual(loaded.adminOnly, [
      { path: 'services.web.cap_add', message: `admin only: ${composePolicy['services.*.cap_add']!.why}` },
    ]);
  });
});
