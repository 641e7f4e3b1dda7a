import type { ReactNode } from 'react';

/** A message box: `error` is announced to screen readers at once, `info` politely. */
export function Notice({ kind = 'info', children }: { kind?: 'info' | 'error' | 'ok'; children: ReactNode }) {
  if (children === undefined || children === null || children === '') return null;
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
