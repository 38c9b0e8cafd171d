import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testPayloadEnv } from './harness/payload-keys.js';
import { startProcess } from './harness/processes.js';

// Each process, started as a user starts it, refuses bad configuration with a message naming the variable.
const cases = [
  {
    role: 'api',
    entry: 'api/main.ts',
    env: { PORT: 'abc', GRAPHIUM_ADMIN_TOKEN: 'x'.repeat(20) },
    variable: 'PORT',
  },
  { role: 'api', entry: 'api/main.ts', env: {}, variable: 'GRAPHIUM_ADMIN_TOKEN' },
  {
    role: 'orchestrator',
    entry: 'orchestrator/main.ts',
    env: { TEMPORAL_ADDRESS: 'localhost' },
    variable: 'TEMPORAL_ADDRESS',
  },
  {
    role: 'agent',
    entry: 'worker-agent/main.ts',
    env: { GRAPHIUM_HOST_ID: '' },
    variable: 'GRAPHIUM_HOST_ID',
  },
  {
    role: 'agent',
    entry: 'worker-agent/main.ts',
    env: { GRAPHIUM_HOST_ID: 'vm1', ...testPayloadEnv.agent, GRAPHIUM_AGENT_CONCURRENCY: '0' },
    variable: 'GRAPHIUM_AGENT_CONCURRENCY',
  },
  { role: 'dev', entry: 'scripts/dev.ts', env: { TEMPORAL_UI_PORT: '3000' }, variable: 'TEMPORAL_UI_PORT' },
  {
    role: 'agent',
    entry: 'worker-agent/main.ts',
    env: { GRAPHIUM_HOST_ID: 'vm1' },
    variable: 'GRAPHIUM_PAYLOAD_KEYS',
  },
  {
    role: 'dev',
    entry: 'scripts/dev.ts',
    env: { GRAPHIUM_ADMIN_TOKEN: 'short' },
    variable: 'GRAPHIUM_ADMIN_TOKEN',
  },
];

describe('process configuration', () => {
  for (const { role, entry, env, variable } of cases) {
    it(`${role} exits non-zero naming ${variable}`, async () => {
      const proc = startProcess(`config-${role}-${variable}`, entry, env);
      const code = await proc.exited;
      assert.equal(code, 2, proc.logs);
      assert.match(proc.logs, new RegExp(`graphium ${role}: invalid configuration:\\n\\s+${variable}: `));
      assert.doesNotMatch(proc.logs, /\n\s+at /, 'no stack trace');
    });
  }

  it('agent exits 1 naming the Docker daemon it cannot reach', async () => {
    const proc = startProcess('config-agent-no-docker', 'worker-agent/main.ts', {
      GRAPHIUM_HOST_ID: 'vm1',
      ...testPayloadEnv.agent,
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
    });
    assert.equal(await proc.exited, 1, proc.logs);
    assert.match(proc.logs, /cannot reach the Docker daemon at unix:\/\/\/nonexistent\/docker.sock/);
  });
});
