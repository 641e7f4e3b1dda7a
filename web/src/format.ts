/** Display helpers shared by the pages. */
export const formatTime = (ms: number): string => new Date(ms).toLocaleString();

export const formatClock = (ms: number): string => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function formatDuration(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.ceil(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

export const pretty = (value: unknown): string => JSON.stringify(value, null, 2) ?? '';
