// The error placement throws. It lives with the pure stack code (placement runs in the API before an
// operation starts), and carries every issue found so a user fixes the constraints in one round trip.

export interface Issue {
  /** Where in the document: `services.web.deploy.placement.constraints`; empty for the whole stack. */
  path: string;
  message: string;
}

/** `path: message` lines joined, with the count first when there is more than one. */
export function summariseIssues(what: string, issues: Issue[]): string {
  const lines = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  if (lines.length === 1) return lines[0]!;
  return `${issues.length} problems in the ${what}: ${lines.join('; ')}`;
}

export type PlacementErrorReason = 'unknown_host' | 'unsatisfiable';

export class PlacementError extends Error {
  override readonly name = 'PlacementError';
  readonly issues: Issue[];
  readonly reason: PlacementErrorReason;

  constructor(reason: PlacementErrorReason, issues: Issue[]) {
    super(summariseIssues('placement', issues));
    this.reason = reason;
    this.issues = issues;
  }
}
