// The error the Compose loader throws. The API maps it to 400; it carries every issue found, so a user
// fixes a project in one round trip rather than one per error.
import { type Issue, summariseIssues } from '../stack/placement-error.js';

export interface ComposeIssue extends Issue {
  /** Where in the project: `services.web.deploy.mode`, `services.web.ports[0]`; empty for the whole text. */
  path: string;
  message: string;
}

export class ComposeError extends Error {
  override readonly name = 'ComposeError';
  readonly issues: ComposeIssue[];

  constructor(issues: ComposeIssue[]) {
    super(summariseIssues('Compose project', issues));
    this.issues = issues;
  }
}
