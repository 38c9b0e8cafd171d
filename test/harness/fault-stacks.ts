import { TEST_IMAGE } from './docker-hosts.js';

// The stack most fault tests deploy: a `db` and a `web` that waits for it to be healthy, each
// healthy only `healthDelayS` after it starts, so a fault lands while containers are awaited.
// `V` changes with the version, so each version replaces every container.

export function slowHealth(healthDelayS: number): string {
  return `healthcheck: { test: ["CMD-SHELL", "test -f /tmp/up || (sleep ${healthDelayS} && touch /tmp/up && false)"], interval: 1s, timeout: 5s, retries: 10 }`;
}

export function dbAndWeb(
  v: number,
  options: { db: number; web: number; healthDelayS: number; extra?: string },
): string {
  const health = slowHealth(options.healthDelayS);
  const extra = options.extra ? `\n    ${options.extra}` : '';
  return `
services:
  db:
    image: ${TEST_IMAGE}
    command: sleep 3600
    environment: { V: "${v}" }
    ${health}${extra}
    deploy: { replicas: ${options.db} }
  web:
    image: ${TEST_IMAGE}
    command: sleep 3600
    environment: { V: "${v}" }
    depends_on: { db: { condition: service_healthy } }
    ${health}${extra}
    deploy: { replicas: ${options.web} }
`;
}
