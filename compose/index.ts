// The Compose loader's surface for the API, the CLI and tests. Workflows never import it.
export { ComposeError, type ComposeIssue } from './compose-errors.js';
export { formatPath } from './compose-issues.js';
export { jsonSyntaxMessage } from './json-syntax.js';
export { type LoadedProject, type LoadProjectOptions, loadProject } from './load-project.js';
export { nestedDataBindIssues } from './nested-binds.js';
export { composePolicy, type KeyPolicy, type KeyStatus } from './policy.js';
export type { BundleEntry } from './project-context.js';
export { memoryReader, type ProjectFile, type ProjectReader } from './project-reader.js';
export { parseRolePolicy, RolePolicy, type RoleRule, VALUE_KEYS } from './role-policy.js';
export { loadComposeDocument, parseStackDefinition } from './single-document.js';
export { type StackNameIssues, stackNameIssues } from './stack-names.js';
