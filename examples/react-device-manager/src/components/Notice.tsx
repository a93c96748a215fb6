import type { ReactNode } from 'react';

/** A polite, dismissable message: read out by screen readers without interrupting them. */
export function Notice({ children, onDismiss }: { children: ReactNode; onDismiss: () => void }) {
  return (
    <div className="notice" role="status">
      <span>{children}</span>
      <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss notice">
        ×
      </button>
    </div>
  );
}
