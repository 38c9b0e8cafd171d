// What an operator runs on a newly registered host. The agent only connects out to Temporal, so these
// three variables are all it needs besides its local Docker socket.

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
    command: `${pairs.join(' ')} npm run agent`,
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
      `${AGENT_IMAGE} node --import tsx worker-agent/main.ts`,
    ].join(' '),
    environment,
  };
}
