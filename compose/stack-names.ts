// The names a stack's document gives Docker objects, held to the stack's own namespace
// (stack/namespace.ts). The loader cannot do this: a stack's name is known only once the API has the
// document (`?name=`, or its `name:`). A `container_name` outside the namespace is admin-only (it can
// take, and so block, another stack's or Graphium's container); a build's `image:` outside it is not
// tagged for a deployer (it would replace that image for every stack on the host), with a warning:
// the service still runs what it built, as `<stack>-<service>:<hash>`.
import { isOwnContainerName, isOwnImageName, ownImagePrefix } from '../stack/namespace.js';
import type { StackSpec } from '../stack/types.js';
import type { ComposeIssue } from './compose-errors.js';
import { RolePolicy } from './role-policy.js';

export interface StackNameIssues {
  /** Uses that need role admin (`container_name`). */
  adminOnly: ComposeIssue[];
  /** Services whose `image:` a deployer's build is not tagged as, with the warning to keep. */
  untagged: { service: string; warning: ComposeIssue }[];
}

export function stackNameIssues(
  stack: string,
  spec: StackSpec,
  policy: RolePolicy = RolePolicy.defaults,
): StackNameIssues {
  const issues: StackNameIssues = { adminOnly: [], untagged: [] };
  for (const service of spec.services) {
    const path = `services.${service.name}`;
    const name = service.containerName;
    if (
      name !== undefined &&
      !isOwnContainerName(stack, name) &&
      policy.needsAdmin('services.*.container_name', name, true)
    ) {
      issues.adminOnly.push({
        path: `${path}.container_name`,
        message: `admin only: "${name}" is not one of stack ${stack}'s names, so it can take (and block) another stack's or Graphium's container; use "${stack}_${service.name}" or another name starting with "${stack}_"`,
      });
    }
    if (
      service.build &&
      service.image !== '' &&
      !isOwnImageName(stack, service.image) &&
      policy.needsAdmin('services.*.image', service.image, true)
    ) {
      issues.untagged.push({
        service: service.name,
        warning: {
          path: `${path}.image`,
          message: `not tagged: with build:, a deployer's image is tagged only as "${ownImagePrefix(stack)}…" (a name such as "${service.image}" would replace that image for every stack on the host); the service runs its build as ${stack}-${service.name.toLowerCase()}:<hash>`,
        },
      });
    }
  }
  return issues;
}
