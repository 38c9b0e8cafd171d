import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileSystemReader } from '../cli/project-files.js';
import { ComposeError } from './compose-errors.js';
import { loadProject } from './load-project.js';

// Our corpus of Compose projects (test/fixtures/compose), written in the shapes users write them
// (docs/compose-in-the-wild.md): every one loads with no error, with exactly the warnings and
// admin-only keys the policy table predicts, listed in corpus.json.

const CORPUS = join(import.meta.dirname, '..', 'test', 'fixtures', 'compose');

interface Expectation {
  files?: string[];
  profiles?: string[];
  testImages?: boolean;
  warnings: string[];
  adminOnly: string[];
  secretFiles?: string[];
}

const expectations = JSON.parse(readFileSync(join(CORPUS, 'corpus.json'), 'utf8')) as Record<
  string,
  Expectation
>;

function load(project: string, files: string[], profiles?: string[]) {
  try {
    return loadProject(fileSystemReader(join(CORPUS, project)), profiles ? { files, profiles } : { files });
  } catch (error) {
    if (error instanceof ComposeError) assert.fail(`${project}: ${error.message}`);
    throw error;
  }
}

describe('the Compose corpus', () => {
  it('has at least 40 projects, each described in corpus.json', () => {
    const projects = readdirSync(CORPUS, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    assert.ok(projects.length >= 40, `${projects.length} projects`);
    assert.deepEqual(projects.sort(), Object.keys(expectations).sort());
  });

  for (const [project, expected] of Object.entries(expectations)) {
    it(`${project} loads with the warnings and admin-only keys the policy predicts`, () => {
      const files = expected.files ?? ['compose.yaml'];
      const loaded = load(project, files, expected.profiles);
      assert.deepEqual(
        loaded.warnings.map((w) => w.path),
        expected.warnings,
      );
      assert.deepEqual(
        loaded.adminOnly.map((w) => w.path),
        expected.adminOnly,
      );
      const secrets = loaded.spec.bundle!.files.filter((f) => f.secret).map((f) => f.path);
      assert.deepEqual(secrets, expected.secretFiles ?? []);
      for (const file of files) assert.ok(loaded.files.has(file), `${file} is in the bundle`);
      if (expected.testImages) {
        // The end-to-end tests deploy these with -f test-images.yml merged last: every image is local.
        const onTestImages = load(project, [...files, 'test-images.yml'], expected.profiles);
        for (const service of onTestImages.spec.services) {
          assert.ok(
            service.image === 'graphium-test/busybox:1' || service.build,
            `${project}/${service.name}: ${service.image}`,
          );
        }
      }
    });
  }
});
