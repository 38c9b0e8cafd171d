import assert from 'node:assert/strict';
import { json } from './api-app.js';
import { waitFor } from './ports.js';

// Calls to an API process a test started, as a client sends them: a bearer token, and a YAML or JSON
// body. The base URL is read at each call, since tests learn it in their before() hook.

export interface ApiBody {
  yaml?: string;
  json?: unknown;
}

export function apiCaller(baseUrl: () => string) {
  return (method: string, path: string, token: string, body?: ApiBody) =>
    fetch(`${baseUrl()}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body?.yaml ? { 'content-type': 'application/yaml' } : {}),
        ...(body?.json ? { 'content-type': 'application/json' } : {}),
      },
      body: body?.yaml ?? (body?.json ? JSON.stringify(body.json) : undefined),
    });
}

export type ApiCall = ReturnType<typeof apiCaller>;

/** Deploys the stack's latest version through the API and waits for the deployment's end. */
export async function deployAndWait(
  call: ApiCall,
  stack: string,
  token: string,
): Promise<{ status: string; error: string | null; workflowId: string }> {
  const started = await call('POST', `/stacks/${stack}/deploy`, token);
  assert.equal(started.status, 202, await started.clone().text());
  const { deploymentId } = await json(started);
  let deployment = { status: 'pending', error: null, workflowId: '' };
  await waitFor(
    `deploy of ${stack} to end`,
    async () => {
      deployment = await json(await call('GET', `/deployments/${deploymentId}`, token));
      return !['pending', 'running'].includes(deployment.status);
    },
    { timeoutMs: 120_000 },
  );
  return deployment;
}
