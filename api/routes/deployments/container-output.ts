import type { Role } from '../../../contracts/vocabulary.js';

// Errors of a deployment and of its containers can carry what a container printed: the last lines of
// its log when it exited (`exited with code 1; last output: …`, activities/docker/containers.ts) or
// its failing healthcheck's output (`healthcheck failed: …`). Logs are where applications print the
// values they were given, so a viewer gets the reason without them; deployers and admins, who can read
// the stack's environment anyway, get the errors whole.

/** Where output starts, and what of the marker stays (the reason). */
const outputMarkers = [
  { marker: '; last output: ', keep: '' },
  { marker: 'healthcheck failed: ', keep: 'healthcheck failed' },
];

/**
 * What workflows append after a container's error (deploy-stack.ts joins them with "; "). Output has
 * no end marker of its own, so it is cut up to the last of these after it, or to the end: a container
 * printing one of them can only make a viewer see less.
 */
const appendedParts = /; (?:rollback incomplete|obsolete containers may remain): /g;

/** The error without container output, keeping every reason around it. */
export function withoutContainerOutput(error: string): string {
  let text = error;
  for (;;) {
    const found = outputMarkers
      .map((entry) => ({ ...entry, at: text.indexOf(entry.marker) }))
      .filter((entry) => entry.at >= 0)
      .sort((a, b) => a.at - b.at)[0];
    if (!found) return text;
    const outputStart = found.at + found.marker.length;
    let end = text.length;
    for (const match of text.slice(outputStart).matchAll(appendedParts)) end = outputStart + match.index;
    text = text.slice(0, found.at) + found.keep + text.slice(end);
  }
}

interface WithErrors {
  error: string | null;
  containers: { error: string | null }[];
}

/** The deployment JSON as this role may read it. */
export function deploymentForRole<T extends WithErrors>(role: Role, deployment: T): T {
  if (role !== 'viewer') return deployment;
  const clean = (error: string | null) => (error === null ? null : withoutContainerOutput(error));
  return {
    ...deployment,
    error: clean(deployment.error),
    containers: deployment.containers.map((container) => ({ ...container, error: clean(container.error) })),
  };
}

/** The same for a deployment already serialised (a shared watcher's event data). */
export function deploymentDataForRole(role: Role, data: string): string {
  return role === 'viewer' ? JSON.stringify(deploymentForRole(role, JSON.parse(data) as WithErrors)) : data;
}
