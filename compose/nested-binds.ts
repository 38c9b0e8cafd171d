// Stack-data binds nested in a writable one. The agent walks every bind source without following
// links when it creates a container (activities/docker/host-paths.ts), but the daemon mounts binds
// again by path whenever it restarts a container: a service that can write `./d` can replace `d/root`
// with `ln -s / d/root`, and the next restart of the service binding `./d/root` mounts the host's `/`.
// So a stack-data source inside another one that some service binds writable is admin-only; sibling
// directories (`./data`, `./logs`) are the safe layout. Pure: the API applies it with the other
// admin-only uses.
import type { StackSpec } from '../stack/types.js';
import type { ComposeIssue } from './compose-errors.js';

export function nestedDataBindIssues(spec: StackSpec): ComposeIssue[] {
  const writable = new Map<string, string>();
  for (const service of spec.services)
    for (const mount of service.mounts)
      if (mount.type === 'stack-data' && !mount.readOnly && !writable.has(mount.source))
        writable.set(mount.source, service.name);
  const issues: ComposeIssue[] = [];
  for (const service of spec.services) {
    for (const mount of service.mounts) {
      if (mount.type !== 'stack-data') continue;
      for (const [outer, writer] of writable) {
        if (outer !== '.' && !mount.source.startsWith(`${outer}/`)) continue;
        if (outer === mount.source) continue;
        issues.push({
          path: `services.${service.name}.volumes`,
          message: `admin only: "./${mount.source}" lies inside "./${outer}", which service ${writer} can write: its container could replace a directory on the way with a link, which the daemon follows when it mounts this bind again (at a restart); bind a directory beside it instead`,
        });
        break;
      }
    }
  }
  return issues;
}
