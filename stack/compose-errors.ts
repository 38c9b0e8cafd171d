// Error classes for stack definitions. The API maps ComposeError to 400 and PlacementError to 422,
// and both carry every issue found, so a user fixes a file in one round trip rather than one per error.

export interface ComposeIssue {
  /** Where in the document: `services.web.deploy.mode`, `services.web.ports[0]`; empty for the whole text. */
  path: string;
  message: string;
}

function summarise(what: string, issues: ComposeIssue[]): string {
  const lines = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  if (lines.length === 1) return lines[0]!;
  return `${issues.length} problems in the ${what}: ${lines.join('; ')}`;
}

export class ComposeError extends Error {
  override readonly name = 'ComposeError';
  readonly issues: ComposeIssue[];

  constructor(issues: ComposeIssue[]) {
    super(summarise('Compose document', issues));
    this.issues = issues;
  }
}

export type PlacementErrorReason = 'unknown_host' | 'unsatisfiable';

export class PlacementError extends Error {
  override readonly name = 'PlacementError';
  readonly issues: ComposeIssue[];
  readonly reason: PlacementErrorReason;

  constructor(reason: PlacementErrorReason, issues: ComposeIssue[]) {
    super(summarise('placement', issues));
    this.reason = reason;
    this.issues = issues;
  }
}
