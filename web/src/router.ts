import { useEffect, useState } from 'react';

/** Hash routes (`#/catalog/echo`): the gateway serves one page, and a reload keeps the place. */
export function useRoute(): string[] {
  const read = () => decodeURIComponentSafe(window.location.hash.replace(/^#\/?/, '')).split('/').filter(Boolean);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const onChange = () => setParts(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parts;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export const href = (...parts: string[]): string => `#/${parts.map(encodeURIComponent).join('/')}`;
