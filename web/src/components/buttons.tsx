import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../lib/api.js';
import { Notice } from './ui.js';

// Buttons that call the API: a busy state, the API's error shown beside them, and for destructive
// actions a confirmation in a modal <dialog> (keyboard and screen-reader friendly by itself).

function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return (error as Error).message ?? String(error);
}

export function ActionButton({
  children,
  onClick,
  kind = 'secondary',
  disabled,
  title,
}: {
  children: ComponentChildren;
  onClick: () => Promise<unknown>;
  kind?: 'primary' | 'secondary' | 'danger';
  disabled?: boolean;
  title?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <span class="action">
      <button
        type="button"
        class={`btn btn-${kind}`}
        disabled={disabled || busy}
        title={title}
        aria-busy={busy}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await onClick();
          } catch (failure) {
            setError(messageOf(failure));
          } finally {
            setBusy(false);
          }
        }}
      >
        {children}
      </button>
      {error && (
        <span class="action-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

let dialogCount = 0;

export function ConfirmButton({
  children,
  title,
  message,
  confirmLabel,
  onConfirm,
  kind = 'danger',
  disabled,
}: {
  children: ComponentChildren;
  title: string;
  message: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  kind?: 'primary' | 'secondary' | 'danger';
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [id] = useState(() => `confirm-${++dialogCount}`);
  const close = () => {
    setError(undefined);
    dialog.current?.close();
  };
  return (
    <>
      <button
        type="button"
        class={`btn btn-${kind}`}
        disabled={disabled}
        onClick={() => dialog.current?.showModal()}
      >
        {children}
      </button>
      <dialog ref={dialog} class="dialog" aria-labelledby={`${id}-title`} aria-describedby={`${id}-text`}>
        <h2 id={`${id}-title`}>{title}</h2>
        <div id={`${id}-text`} class="dialog-text">
          {message}
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        <div class="dialog-actions">
          <button type="button" class="btn btn-secondary" onClick={close} disabled={busy}>
            Go back
          </button>
          <button
            type="button"
            class={`btn btn-${kind}`}
            disabled={busy}
            aria-busy={busy}
            onClick={async () => {
              setBusy(true);
              setError(undefined);
              try {
                await onConfirm();
                dialog.current?.close();
              } catch (failure) {
                setError(messageOf(failure));
              } finally {
                setBusy(false);
              }
            }}
          >
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
