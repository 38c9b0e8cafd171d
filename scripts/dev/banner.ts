import { basename } from 'node:path';

export interface BannerFacts {
  apiUrl: string;
  temporal: { address: string; uiUrl?: string; description: string; historyFile?: string };
  namespace: string;
  dataDir: string;
  database: string;
  adminToken: string;
  tokenSource: string;
  agent: { hostId: string; dockerHost: string; pickupTimeout: string; problem?: string; keysEnv: string };
}

/**
 * What a developer needs after `npm run dev`, on stdout (logs go to stderr). It prints the admin
 * token because pasting it into a shell is the point on a developer's own machine; it is the one
 * place Graphium prints a secret (production processes take theirs from the environment).
 */
export function renderBanner(facts: BannerFacts): string {
  const ui = facts.temporal.uiUrl
    ? `${facts.temporal.uiUrl}/namespaces/${facts.namespace}/workflows\n` +
      `               to see payloads decoded: sign in at ${facts.apiUrl}/api/v1/temporal-codec/sign-in, then tick\n` +
      '               "include cross-origin credentials" in the UI\'s codec server settings (docs/temporal-ui.md)'
    : "(external Temporal: use that server's own UI; docs/temporal-ui.md sets up decoding)";
  const { hostId, problem, pickupTimeout } = facts.agent;
  const agent = problem
    ? `NOT RUNNING: ${problem}\n` +
      `               deploys to host "${hostId}" wait ${pickupTimeout} (GRAPHIUM_AGENT_PICKUP_TIMEOUT) for an agent, then fail:\n` +
      `               start Docker and restart \`npm run dev\`, or run \`GRAPHIUM_HOST_ID=${hostId} ` +
      `TEMPORAL_ADDRESS=${facts.temporal.address} ${facts.agent.keysEnv} npm run agent\``
    : `host "${hostId}" → ${facts.agent.dockerHost}`;
  const history = facts.temporal.historyFile && `Temporal history in ${basename(facts.temporal.historyFile)}`;
  const data = [facts.database, history].filter(Boolean).join(', ');
  return [
    '',
    'Graphium dev is ready',
    `  Dashboard    ${facts.apiUrl}/   (sign in with the admin token below)`,
    `  API          ${facts.apiUrl}/api/v1`,
    `  API docs     ${facts.apiUrl}/api/v1/docs`,
    `  Temporal UI  ${ui}`,
    `  Temporal     ${facts.temporal.address}, namespace ${facts.namespace} (${facts.temporal.description})`,
    `  Agent        ${agent}`,
    `  Data         ${facts.dataDir}: ${data}`,
    `  Admin token  ${facts.adminToken}   (from ${facts.tokenSource})`,
    '',
    'For the CLI and curl, paste:',
    `  export GRAPHIUM_API_URL=${facts.apiUrl} GRAPHIUM_TOKEN=${facts.adminToken}`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}
