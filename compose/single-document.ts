// One Compose document sent as text or as a parsed object (the API's original way to create a stack):
// loaded as a one-file project, so it gets exactly the checks and normalization a whole project gets.
import { type LoadedProject, loadProject } from './load-project.js';
import { memoryReader } from './project-reader.js';
import type { RolePolicy } from './role-policy.js';

/** YAML (or JSON) text, or an already-parsed object, as the project's only file. */
export function loadComposeDocument(
  document: string | Record<string, unknown>,
  format: 'yaml' | 'json' = 'yaml',
  variables: Record<string, string> = {},
  policy?: RolePolicy,
): LoadedProject {
  const file = format === 'json' ? 'compose.json' : 'compose.yaml';
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  return loadProject(memoryReader({ [typeof document === 'string' ? file : 'compose.json']: text }), {
    files: [typeof document === 'string' ? file : 'compose.json'],
    variables,
    ...(policy ? { policy } : {}),
  });
}

/** Text straight to a StackSpec (tests and tools that need only the spec). */
export function parseStackDefinition(text: string, format: 'yaml' | 'json') {
  return loadComposeDocument(text, format).spec;
}
