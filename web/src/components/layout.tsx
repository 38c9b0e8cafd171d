import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { useSession } from '../lib/session.js';

const pages = [
  { href: '/deployments', label: 'Deployments', role: 'viewer' },
  { href: '/stacks', label: 'Stacks', role: 'viewer' },
  { href: '/hosts', label: 'Hosts', role: 'viewer' },
  { href: '/audit', label: 'Audit log', role: 'admin' },
] as const;

export function Layout({ children }: { children: ComponentChildren }) {
  const { me, can, signOut } = useSession();
  const { path } = useLocation();
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/deployments">
          <img src="/favicon.svg" alt="" width="26" height="26" />
          <span>Graphium</span>
        </a>
        <nav aria-label="Main">
          <ul>
            {pages
              .filter((page) => can(page.role))
              .map((page) => (
                <li key={page.href}>
                  <a href={page.href} aria-current={path.startsWith(page.href) ? 'page' : undefined}>
                    {page.label}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <div class="whoami">
          <span>
            <span class="whoami-name">{me.name}</span> <span class={`role role-${me.role}`}>{me.role}</span>
          </span>
          <button type="button" class="btn btn-ghost" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
