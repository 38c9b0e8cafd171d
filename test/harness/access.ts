import assert from 'node:assert/strict';
import type { Role } from '../../contracts/vocabulary.js';
import { json, type RequestOptions, type TestApi } from './api-app.js';

// One statement of who may call a route, checked the same way for every route: no token, a wrong
// token and a revoked token get 401; each role below the required one gets 403 naming that role; the
// required role itself gets through (whatever the route then answers, it is neither 401 nor 403).

export interface AccessRule {
  method: string;
  path: string;
  role: Role;
  /**
   * A body that would be valid, so a refusal cannot be a validation error in disguise. The request
   * is really made with the allowed role, so it must be one the test can afford to succeed.
   */
  options?: Omit<RequestOptions, 'token'>;
}

const lowerRoles: Record<Role, Role[]> = { admin: ['viewer', 'deployer'], deployer: ['viewer'], viewer: [] };

export async function assertAccessRule(api: TestApi, rule: AccessRule): Promise<void> {
  const what = `${rule.method} ${rule.path}`;
  const anonymous: [string, string | null][] = [
    ['no token', null],
    ['a wrong token', 'gph_not-a-real-token'],
    ['a revoked token', api.revokedToken],
  ];
  for (const [label, token] of anonymous) {
    const response = await api.request(rule.method, rule.path, { ...rule.options, token });
    assert.equal(response.status, 401, `${what} with ${label}`);
    assert.equal((await json(response)).error.code, 'unauthorized', `${what} with ${label}`);
  }
  for (const role of lowerRoles[rule.role]) {
    const response = await api.request(rule.method, rule.path, { ...rule.options, token: api.tokens[role] });
    assert.equal(response.status, 403, `${what} as ${role}`);
    assert.deepEqual(
      (await json(response)).error,
      { code: 'forbidden', message: `requires role ${rule.role}` },
      `${what} as ${role}`,
    );
  }
  const allowed = await api.request(rule.method, rule.path, {
    ...rule.options,
    token: api.tokens[rule.role],
  });
  assert.ok(
    allowed.status !== 401 && allowed.status !== 403,
    `${what} as ${rule.role} must get through, got ${allowed.status}: ${await allowed.text()}`,
  );
}
