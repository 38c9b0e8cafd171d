import { useEffect, useMemo, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { Layout } from './components/layout.js';
import { Loading } from './components/ui.js';
import type { Me } from './lib/api.js';
import { forgetToken, hasRole, type Session, SessionContext, signIn, storedToken } from './lib/session.js';
import { AuditPage } from './pages/audit.js';
import { DeploymentPage } from './pages/deployment.js';
import { DeploymentsPage } from './pages/deployments.js';
import { HostsPage } from './pages/hosts.js';
import { NotFound } from './pages/not-found.js';
import { SignIn } from './pages/sign-in.js';
import { StackPage } from './pages/stack.js';
import { StacksPage } from './pages/stacks.js';

type SessionState =
  | { kind: 'checking' }
  | { kind: 'signed-out'; notice?: string }
  | { kind: 'signed-in'; me: Me };

export function App() {
  const [state, setState] = useState<SessionState>(() =>
    storedToken() ? { kind: 'checking' } : { kind: 'signed-out' },
  );
  const signOut = (notice?: string) => {
    forgetToken();
    setState({ kind: 'signed-out', notice });
  };
  const onUnauthorized = (message: string) => signOut(`Signed out: ${message}`);

  // A reload keeps the tab's token: check it is still valid (it may have been revoked meanwhile).
  useEffect(() => {
    const token = storedToken();
    if (!token) return;
    signIn(token, onUnauthorized).then(
      (me) => setState({ kind: 'signed-in', me }),
      (error: Error) => signOut(`Signed out: ${error.message}`),
    );
  }, []);

  const session = useMemo<Session | null>(
    () =>
      state.kind === 'signed-in'
        ? { me: state.me, can: (needed) => hasRole(state.me.role, needed), signOut }
        : null,
    [state],
  );

  if (state.kind === 'checking') return <Loading />;
  if (!session) {
    return (
      <SignIn
        notice={state.kind === 'signed-out' ? state.notice : undefined}
        onSignedIn={(me) => setState({ kind: 'signed-in', me })}
        onUnauthorized={onUnauthorized}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <LocationProvider>
        <Layout>
          <Pages />
        </Layout>
      </LocationProvider>
    </SessionContext.Provider>
  );
}

function Home() {
  const { route } = useLocation();
  useEffect(() => route('/deployments', true), [route]);
  return null;
}

/** Each page keyed by what it shows, so moving from one stack to another starts it afresh. */
function Pages() {
  return (
    <Router>
      <Route path="/" component={Home} />
      <Route path="/hosts" component={HostsPage} />
      <Route path="/stacks" component={StacksPage} />
      <Route
        path="/stacks/:name"
        component={({ name }: { name: string }) => <StackPage key={name} name={name} />}
      />
      <Route path="/deployments" component={DeploymentsPage} />
      <Route
        path="/deployments/:id"
        component={({ id }: { id: string }) => <DeploymentPage key={id} id={id} />}
      />
      <Route path="/audit" component={AuditPage} />
      <Route default component={NotFound} />
    </Router>
  );
}
