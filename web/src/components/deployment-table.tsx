import type { Deployment } from '../lib/api.js';
import { durationBetween } from '../lib/format.js';
import { ProgressBar, StatusBadge, When } from './ui.js';

export function DeploymentTable({ items, showStack = true }: { items: Deployment[]; showStack?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Operation</th>
            {showStack && <th scope="col">Stack</th>}
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Requested by</th>
            <th scope="col">Created</th>
            <th scope="col">Took</th>
          </tr>
        </thead>
        <tbody>
          {items.map((deployment) => (
            <tr key={deployment.id}>
              <td>
                <a class="strong" href={`/deployments/${deployment.id}`}>
                  {deployment.workflowId}
                </a>
                <div class="muted small">
                  {deployment.operation}
                  {deployment.version !== null && ` v${deployment.version}`}
                </div>
              </td>
              {showStack && (
                <td>
                  <a href={`/stacks/${encodeURIComponent(deployment.stack)}`}>{deployment.stack}</a>
                </td>
              )}
              <td>
                <StatusBadge status={deployment.status} />
              </td>
              <td class="progress-cell">
                <ProgressBar
                  size="small"
                  value={deployment.progress}
                  status={deployment.status}
                  label={`${deployment.workflowId} progress`}
                />
                <span class="small">{deployment.progress}%</span>
              </td>
              <td>{deployment.requestedBy}</td>
              <td>
                <When iso={deployment.createdAt} />
              </td>
              <td>{durationBetween(deployment.startedAt, deployment.finishedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
