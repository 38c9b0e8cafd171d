import { PageHeader } from '../components/ui.js';

export function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        Nothing lives at this address. Try <a href="/deployments">the deployments</a>,{' '}
        <a href="/stacks">the stacks</a> or <a href="/hosts">the hosts</a>.
      </p>
    </>
  );
}
