import { useState } from 'preact/hooks';
import { Notice } from '../components/ui.js';
import type { Me } from '../lib/api.js';
import { signIn } from '../lib/session.js';

export function SignIn({
  notice,
  onSignedIn,
  onUnauthorized,
}: {
  notice?: string | undefined;
  onSignedIn: (me: Me) => void;
  onUnauthorized: (message: string) => void;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="sign-in">
      <div class="sign-in-card">
        <div class="sign-in-brand">
          <img src="/favicon.svg" alt="" width="40" height="40" />
          <h1>Sign in to Graphium</h1>
        </div>
        {notice && <Notice kind="info">{notice}</Notice>}
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            setBusy(true);
            setError(undefined);
            try {
              onSignedIn(await signIn(token.trim(), onUnauthorized));
            } catch (failure) {
              setError((failure as Error).message);
            } finally {
              setBusy(false);
            }
          }}
        >
          <div class="field">
            <label for="token">API token</label>
            <input
              id="token"
              type="password"
              autocomplete="off"
              spellcheck={false}
              required
              placeholder="gph_…"
              value={token}
              aria-describedby="token-help"
              aria-invalid={error ? true : undefined}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
            <small id="token-help" class="field-help">
              A token from <code>POST /api/v1/tokens</code> or the admin token. It is kept in this tab only
              (session storage) and forgotten when the tab closes.
            </small>
          </div>
          {error && <Notice kind="error">{error}</Notice>}
          <button type="submit" class="btn btn-primary btn-wide" disabled={busy || token.trim() === ''}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
