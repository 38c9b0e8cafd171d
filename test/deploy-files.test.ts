import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { ORCHESTRATOR_MEMORY_ENV } from '../orchestrator/memory-env.js';
import { REPO_ROOT } from './harness/processes.js';

// The production files, checked as far as this machine allows: `docker-compose config` (Debian's
// docker-compose 1.29, which .ci/run installs) validates and resolves docker-compose.yml; the
// Dockerfile is checked statically, because no Docker engine here can build an image or pull a
// base image, and the one build step of our own (the workflow bundle) is run for real.

const work = mkdtempSync(join(tmpdir(), 'graphium-deploy-files-'));
after(() => rmSync(work, { recursive: true, force: true }));

const secrets = {
  GRAPHIUM_ADMIN_TOKEN: 'test-admin-token-0123456789abcdef',
  GRAPHIUM_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
  POSTGRES_PASSWORD: 'test-postgres-password',
  GRAPHIUM_DB_PASSWORD: 'test-graphium-password',
  GRAPHIUM_PAYLOAD_KEYS: `p1:${Buffer.alloc(32, 4).toString('base64')}`,
  GRAPHIUM_API_SIGNING_KEY: `api1:${Buffer.alloc(32, 5).toString('base64')}`,
  GRAPHIUM_API_PUBLIC_KEYS: 'api1:public-api',
  GRAPHIUM_ORCHESTRATOR_SIGNING_KEY: `orchestrator1:${Buffer.alloc(32, 6).toString('base64')}`,
  GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS: 'orchestrator1:public-orchestrator',
};

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  user?: string;
  environment?: Record<string, string | number>;
  volumes?: string[];
  ports?: unknown[];
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
}

/** `docker-compose config` with an env file of our own, so a developer's real .env never leaks in. */
function composeConfig(env: Record<string, string>): {
  status: number | null;
  stdout: string;
  stderr: string;
} {
  const envFile = join(work, `compose-${Object.keys(env).length}.env`);
  writeFileSync(
    envFile,
    Object.entries(env)
      .map(([key, value]) => `${key}=${value}\n`)
      .join(''),
  );
  const result = spawnSync(
    'docker-compose',
    ['--env-file', envFile, '-f', join(REPO_ROOT, 'docker-compose.yml'), 'config'],
    { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } },
  );
  if (result.error) {
    throw new Error(`cannot run docker-compose (apt-get install docker-compose): ${result.error.message}`);
  }
  return result;
}

describe('docker-compose.yml', () => {
  it('is accepted by docker-compose config and wires every service', () => {
    const { status, stdout, stderr } = composeConfig(secrets);
    assert.equal(status, 0, stderr);
    const services = (parse(stdout) as { services: Record<string, ComposeService> }).services;
    assert.deepEqual(Object.keys(services).sort(), [
      'agent',
      'api',
      'orchestrator',
      'postgres',
      'temporal',
      'temporal-namespace',
      'temporal-schema',
      'temporal-ui',
    ]);
    const { api, orchestrator, agent, temporal } = services as Record<string, ComposeService>;
    for (const [name, service] of Object.entries({ api, orchestrator, agent })) {
      assert.ok(service?.build, `${name} is built from the Dockerfile`);
      assert.equal(service?.environment?.TEMPORAL_ADDRESS, 'temporal:7233', name);
      assert.deepEqual(service?.command?.slice(0, 3), ['node', '--import', 'tsx'], name);
      const entry = service?.command?.[3] ?? '';
      assert.ok(existsSync(join(REPO_ROOT, entry)), `${name} runs ${entry}, which exists`);
      assert.equal(service?.depends_on?.['temporal-namespace']?.condition, 'service_completed_successfully');
    }
    assert.deepEqual(
      [api, orchestrator, agent].map((s) => s?.command?.[3]),
      ['api/main.ts', 'orchestrator/main.ts', 'worker-agent/main.ts'],
    );
    for (const service of [api, orchestrator]) {
      assert.equal(
        service?.environment?.DATABASE_URL,
        `postgres://graphium:${secrets.GRAPHIUM_DB_PASSWORD}@postgres:5432/graphium`,
      );
      assert.equal(service?.depends_on?.postgres?.condition, 'service_healthy');
    }
    assert.equal(api?.environment?.GRAPHIUM_ADMIN_TOKEN, secrets.GRAPHIUM_ADMIN_TOKEN);
    assert.ok(api?.healthcheck, 'the api has a healthcheck');
    assert.equal(agent?.environment?.GRAPHIUM_HOST_ID, 'docker-1');
    assert.ok(agent?.volumes?.some((v) => v.startsWith('/var/run/docker.sock:/var/run/docker.sock')));
    // The daemon binds stack files from the agent's data directory: same path on both sides.
    assert.equal(agent?.environment?.GRAPHIUM_AGENT_DATA_DIR, '/var/lib/graphium');
    assert.ok(agent?.volumes?.some((v) => v.startsWith('/var/lib/graphium:/var/lib/graphium')));
    assert.equal(agent?.environment?.DATABASE_URL, undefined, 'agents never see the database');
    assert.equal(agent?.user, 'root', 'the agent may open the root-only Docker socket');
    // Signed work (docs/security.md): each process holds its own private key; agents hold none.
    for (const service of [api, orchestrator, agent]) {
      assert.equal(service?.environment?.GRAPHIUM_PAYLOAD_KEYS, secrets.GRAPHIUM_PAYLOAD_KEYS);
    }
    assert.equal(api?.environment?.GRAPHIUM_API_SIGNING_KEY, secrets.GRAPHIUM_API_SIGNING_KEY);
    assert.equal(
      orchestrator?.environment?.GRAPHIUM_ORCHESTRATOR_SIGNING_KEY,
      secrets.GRAPHIUM_ORCHESTRATOR_SIGNING_KEY,
    );
    assert.equal(orchestrator?.environment?.GRAPHIUM_API_PUBLIC_KEYS, secrets.GRAPHIUM_API_PUBLIC_KEYS);
    assert.equal(
      agent?.environment?.GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS,
      secrets.GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS,
    );
    for (const name of Object.keys(agent?.environment ?? {})) {
      assert.doesNotMatch(name, /SIGNING_KEY|ENCRYPTION_KEYS|TOKEN/, `the agent holds no ${name}`);
    }
    assert.equal(api?.environment?.GRAPHIUM_ORCHESTRATOR_SIGNING_KEY, undefined);
    assert.equal(temporal?.depends_on?.['temporal-schema']?.condition, 'service_completed_successfully');
    assert.ok(temporal?.healthcheck);
    // Whoever reaches Temporal can schedule work on every host's queue: loopback until mTLS is set up.
    assert.deepEqual(temporal?.ports, ['127.0.0.1:7233:7233/tcp']);
    assert.deepEqual(services['temporal-ui']?.ports, ['127.0.0.1:8080:8080/tcp'], 'the UI has no login');
  });

  it('runs the orchestrator with the memory settings the tests and benchmarks run it with', () => {
    const { status, stdout, stderr } = composeConfig(secrets);
    assert.equal(status, 0, stderr);
    const { orchestrator } = (parse(stdout) as { services: Record<string, ComposeService> }).services;
    for (const [name, value] of Object.entries(ORCHESTRATOR_MEMORY_ENV)) {
      assert.equal(orchestrator?.environment?.[name], value, `services.orchestrator.environment.${name}`);
    }
  });

  it('publishes Temporal beyond loopback only when TEMPORAL_PUBLISH says so', () => {
    const { status, stdout, stderr } = composeConfig({ ...secrets, TEMPORAL_PUBLISH: '7233' });
    assert.equal(status, 0, stderr);
    const { temporal } = (parse(stdout) as { services: Record<string, ComposeService> }).services;
    assert.deepEqual(temporal?.ports, [{ published: 7233, target: 7233 }]);
  });

  it('refuses to resolve without each secret, naming the missing variable', () => {
    for (const name of Object.keys(secrets)) {
      const { status, stderr } = composeConfig(
        Object.fromEntries(Object.entries(secrets).filter(([key]) => key !== name)),
      );
      assert.notEqual(status, 0, `config without ${name}`);
      assert.match(stderr, new RegExp(`set ${name} in \\.env`));
    }
  });

  it('keeps secrets out of the repository: .env is ignored, .env.example lists the secrets empty', () => {
    // Asked of git itself: the rule's spelling in .gitignore does not matter, its effect does.
    assert.doesNotThrow(
      () => execFileSync('git', ['check-ignore', '-q', '.env'], { cwd: REPO_ROOT }),
      'git ignores the .env at the root of the repository',
    );
    const example = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8');
    for (const name of Object.keys(secrets)) assert.match(example, new RegExp(`^${name}=$`, 'm'));
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  // One entry per instruction: lines continued with a backslash are joined, as Docker reads them.
  const instructions = dockerfile
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'));

  it('installs production dependencies on node:20-slim and runs the sources with tsx', () => {
    assert.deepEqual(
      instructions.filter((line) => line.startsWith('FROM')),
      ['FROM node:20-slim AS dashboard', 'FROM node:20-slim'],
    );
    assert.ok(
      instructions.includes(
        'RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm rebuild ' +
          '&& npm run fetch-compose-schema && npm cache clean --force',
      ),
    );
    assert.ok(instructions.includes('CMD ["node", "--import", "tsx", "api/main.ts"]'));
    assert.ok(instructions.includes('USER node'));
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.ok(pkg.dependencies.tsx, 'tsx is a production dependency, so --omit=dev keeps it');
  });

  it('pre-bundles the workflows for the orchestrator with a script that works', () => {
    const bundleStep = instructions.find((line) => line.includes('scripts/bundle-workflows.ts'));
    assert.equal(bundleStep, 'RUN node --import tsx scripts/bundle-workflows.ts /app/workflow-bundle.js');
    assert.ok(instructions.includes('ENV GRAPHIUM_WORKFLOW_BUNDLE=/app/workflow-bundle.js'));
    const out = join(work, 'workflow-bundle.js');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bundle-workflows.ts', out], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(readFileSync(out, 'utf8'), /deployStackWorkflow/);
  });

  it('builds the dashboard in its own stage and keeps only the built files', () => {
    const stage = instructions.slice(
      instructions.indexOf('FROM node:20-slim AS dashboard'),
      instructions.indexOf('FROM node:20-slim'),
    );
    assert.ok(stage.includes('RUN npm ci --no-audit --no-fund --ignore-scripts'), 'with the devDependencies');
    assert.ok(stage.includes('RUN npm run build:web'));
    assert.ok(instructions.includes('COPY --from=dashboard /app/web/dist ./web/dist'));
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.scripts['build:web'], 'vite build --config web/vite.config.ts');
    assert.equal(pkg.scripts.prepare, 'npm run build:web', 'npm ci builds it too');
  });

  it('.dockerignore keeps local state, secrets and node_modules out of the build context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', '.git', '.graphium', '.env', '.tmp']) {
      assert.ok(ignored.includes(entry), `.dockerignore lists ${entry}`);
    }
  });
});
