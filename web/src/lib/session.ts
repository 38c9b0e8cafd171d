import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { api, type Me, ok, setCredentials } from './api.js';

// The API token lives in sessionStorage: it survives a reload of the tab and is gone when the tab or
// the browser closes, and no other tab sees it. It is sent as a bearer header, never in a URL.

const STORAGE_KEY = 'graphium.token';

export type Role = Me['role'];
const rank: Record<Role, number> = { viewer: 0, deployer: 1, admin: 2 };

/** admin > deployer > viewer, as the API decides. */
export function hasRole(role: Role, needed: Role): boolean {
  return rank[role] >= rank[needed];
}

export interface Session {
  me: Me;
  /** True when the caller's role is at least `needed`: show a control only then. */
  can(needed: Role): boolean;
  signOut(message?: string): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export function storedToken(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function forgetToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  setCredentials(null, () => {});
}

/** Checks the token with `GET /me`; keeps it for this tab only when the API accepts it. */
export async function signIn(token: string, onUnauthorized: (message: string) => void): Promise<Me> {
  setCredentials(token, () => {});
  try {
    const me = await ok(api.me.$get());
    sessionStorage.setItem(STORAGE_KEY, token);
    setCredentials(token, onUnauthorized);
    return me;
  } catch (error) {
    setCredentials(null, () => {});
    throw error;
  }
}
