// What an operator runs on a newly registered host. The agent only connects out to Temporal, so these
// three variables are all it needs besides its local Docker socket, and the keys of signed work
// (docs/security.md), which the commands take from the operator's shell: an API answer never holds
// the payload key.

/** Read from the shell that runs the command: the same values every agent has (`npm run keys`). */
export const AGENT_KEY_VARIABLES = ['GRAPHIUM_PAYLOAD_KEYS', 'GRAPHIUM_ORCHESTRATOR_PUBLIC_KEYS'] as const;

export const AGENT_IMAGE = 'graphium:latest';

function shellQuote(value: string): string {
  return /^[\w.:@/=+-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

export function agentSetup(hostId: string, temporalAddress: string, namespace: string) {
  const environment = {
    GRAPHIUM_HOST_ID: hostId,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: namespace,
  };
  const pairs = Object.entries(environment).map(([name, value]) => `${name}=${shellQuote(value)}`);
  return {
    command: `${[...pairs, ...AGENT_KEY_VARIABLES.map((name) => `${name}="$${name}"`)].join(' ')} npm run agent`,
    // Host networking: the agent makes outbound connections only, and a Temporal address that is
    // loopback on the host stays reachable from inside the container. Root: the socket is root's.
    // node runs the agent directly (not npm) so `docker stop`'s SIGTERM reaches it for a clean stop.
    dockerCommand: [
      'docker run -d',
      `--name graphium-agent-${hostId}`,
      '--restart unless-stopped',
      '--network host',
      '--user root',
      '-v /var/run/docker.sock:/var/run/docker.sock',
      ...pairs.map((pair) => `-e ${pair}`),
      // `-e NAME` alone passes the shell's value on.
      ...AGENT_KEY_VARIABLES.map((name) => `-e ${name}`),
      `${AGENT_IMAGE} node --import tsx worker-agent/main.ts`,
    ].join(' '),
    environment,
  };
}
