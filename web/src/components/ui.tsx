import type { ComponentChildren } from 'preact';
import { formatTime, label, relativeTime } from '../lib/format.js';

// Small presentational pieces shared by the pages.

const statusTone: Record<string, string> = {
  pending: 'neutral',
  running: 'info',
  succeeded: 'good',
  failed: 'bad',
  rolled_back: 'warn',
  cancelled: 'neutral',
  online: 'good',
  offline: 'neutral',
  // container states
  pulling: 'info',
  creating: 'info',
  starting: 'info',
  healthy: 'good',
  unchanged: 'good',
  stopping: 'info',
  stopped: 'neutral',
  removing: 'info',
  removed: 'neutral',
  compensated: 'warn',
  exited: 'bad',
  dead: 'bad',
  restarting: 'warn',
  created: 'neutral',
  paused: 'neutral',
  // drift kinds
  missing: 'bad',
  changed: 'warn',
  unexpected: 'warn',
  retired: 'warn',
  'unknown-host': 'neutral',
};

/** Where a container is at its goal, `running` is a good state; for an operation it means in progress. */
const containerTone: Record<string, string> = { running: 'good' };

export function StatusBadge({
  status,
  title,
  kind = 'operation',
}: {
  status: string;
  title?: string;
  kind?: 'operation' | 'container';
}) {
  const tone = (kind === 'container' ? containerTone[status] : undefined) ?? statusTone[status] ?? 'neutral';
  return (
    <span class={`badge badge-${tone}`} title={title}>
      {tone === 'info' && <span class="pulse" aria-hidden="true" />}
      {label(status)}
    </span>
  );
}

export function ProgressBar({
  value,
  status,
  label: text,
  size = 'large',
}: {
  value: number;
  status: string;
  label: string;
  size?: 'large' | 'small';
}) {
  const tone = statusTone[status] ?? 'neutral';
  return (
    <div
      class={`progress progress-${size}`}
      role="progressbar"
      aria-label={text}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
    >
      <div class={`progress-fill fill-${tone}`} style={{ width: `${value}%` }} />
    </div>
  );
}

export function Notice({ kind, children }: { kind: 'error' | 'info' | 'warn'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Section({
  title,
  actions,
  children,
  id,
}: {
  title: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
  id?: string;
}) {
  const headingId = `${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-heading`;
  return (
    <section class="card" aria-labelledby={headingId}>
      <header class="card-header">
        <h2 id={headingId}>{title}</h2>
        {actions && <div class="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function When({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={formatTime(iso)}>
      {relativeTime(iso)}
    </time>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function Loading() {
  return (
    <p class="empty" aria-live="polite">
      Loading…
    </p>
  );
}

export function PageHeader({
  title,
  subtitle,
  children,
}: {
  title: ComponentChildren;
  subtitle?: ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <div class="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p class="subtitle">{subtitle}</p>}
      </div>
      {children && <div class="page-actions">{children}</div>}
    </div>
  );
}
