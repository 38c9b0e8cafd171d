import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from './harness/processes.js';

// The import rules of docs/architecture.md are enforced by the linter (biome.json and the GritQL
// plugins in lint/). Each case lints a small file placed where a breach would be, with the project's
// own configuration, and expects the linter to refuse it; its allowed twin proves the rule is narrow.

const biome = join(REPO_ROOT, 'node_modules', '.bin', 'biome');
const workDir = mkdtempSync(join(tmpdir(), 'graphium-lint-'));
cpSync(join(REPO_ROOT, 'biome.json'), join(workDir, 'biome.json'));
cpSync(join(REPO_ROOT, 'lint'), join(workDir, 'lint'), { recursive: true });
after(() => rmSync(workDir, { recursive: true, force: true }));

function lint(path: string, source: string): { ok: boolean; output: string } {
  const file = join(workDir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, source);
  const result = spawnSync(biome, ['lint', '--vcs-enabled=false', '--max-diagnostics=5', path], {
    cwd: workDir,
    encoding: 'utf8',
  });
  rmSync(file);
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

const cases: { rule: string; path: string; refused: string; allowed: string; message: RegExp }[] = [
  {
    rule: 'workflows import activities as types only',
    path: 'workflows/probe.ts',
    refused:
      "import { createDockerActivities } from '../activities/docker/index.js';\n\nexport const x = createDockerActivities;\n",
    allowed:
      "import type { DockerActivities } from '../activities/docker/index.js';\n\nexport type X = DockerActivities;\n",
    message: /imports activities as types only/,
  },
  {
    rule: 'workflows import no Node built-ins',
    path: 'workflows/probe.ts',
    refused: "import { readFileSync } from 'node:fs';\n\nexport const x = readFileSync;\n",
    allowed: "import { sleep } from '@temporalio/workflow';\n\nexport const x = sleep;\n",
    message: /deterministic/,
  },
  {
    rule: 'workflows reach the database only through activities',
    path: 'workflows/probe.ts',
    refused: "import { openDatabase } from '../db/client.js';\n\nexport const x = openDatabase;\n",
    allowed:
      "import { hostTaskQueue } from '../contracts/vocabulary.js';\n\nexport const x = hostTaskQueue;\n",
    message: /only through activities/,
  },
  {
    rule: 'the API never imports worker code',
    path: 'api/services/probe.ts',
    refused:
      "import { runOrchestrator } from '../../orchestrator/worker.js';\n\nexport const x = runOrchestrator;\n",
    allowed:
      "import { operationRegistry } from '../../workflows/registry.js';\n\nexport const x = operationRegistry;\n",
    message: /never imports worker code/,
  },
  {
    rule: 'the API never loads the worker SDK',
    path: 'api/services/probe.ts',
    refused: "import { Worker } from '@temporalio/worker';\n\nexport const x = Worker;\n",
    allowed: "import { Client } from '@temporalio/client';\n\nexport const x = Client;\n",
    message: /never loads worker code/,
  },
  {
    rule: 'only activities/docker imports dockerode',
    path: 'db/probe.ts',
    refused: "import Docker from 'dockerode';\n\nexport const x = Docker;\n",
    allowed: "import postgres from 'postgres';\n\nexport const x = postgres;\n",
    message: /Only activities\/docker talks to a Docker daemon/,
  },
  {
    rule: 'the CLI imports the API as types only',
    path: 'cli/probe.ts',
    refused: "import { createApp } from '../api/app.js';\n\nexport const x = createApp;\n",
    allowed: "import type { AppType } from '../api/app.js';\n\nexport type X = AppType;\n",
    message: /import the API as types only/,
  },
  {
    rule: 'the dashboard imports the API as types only',
    path: 'web/src/probe.tsx',
    refused: "import { createApp } from '../../api/app.js';\n\nexport const x = createApp;\n",
    allowed: "import type { AppType } from '../../api/app.js';\n\nexport type X = AppType;\n",
    message: /import the API as types only/,
  },
];

describe('import rules enforced by the linter', () => {
  for (const c of cases) {
    it(`${c.rule}: refuses the breach, accepts its allowed twin`, () => {
      const refused = lint(c.path, c.refused);
      assert.equal(refused.ok, false, `biome accepted ${c.path}:\n${c.refused}`);
      assert.match(refused.output, c.message);
      const allowed = lint(c.path, c.allowed);
      assert.equal(allowed.ok, true, `biome refused ${c.path}:\n${c.allowed}\n${allowed.output}`);
    });
  }

  it('dockerode stays allowed inside activities/docker', () => {
    const result = lint(
      'activities/docker/probe.ts',
      "import Docker from 'dockerode';\n\nexport const x = Docker;\n",
    );
    assert.equal(result.ok, true, result.output);
  });
});
