import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ORCHESTRATOR_MEMORY_ENV } from './memory-env.js';

test('docker-compose.yml runs the orchestrator with the memory settings the benchmarks measured', () => {
  const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8'), {
    merge: true,
  }) as { services: Record<string, { environment?: Record<string, string> }> };
  const environment = compose.services.orchestrator?.environment ?? {};
  for (const [name, value] of Object.entries(ORCHESTRATOR_MEMORY_ENV)) {
    assert.equal(environment[name], value, `services.orchestrator.environment.${name}`);
  }
});
