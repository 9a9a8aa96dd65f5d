'use client';

import { useSyncExternalStore } from 'react';
import { IconMoon, IconSun } from './icons';

/** The theme is the `dark` class on <html>, set before paint by the script in app/layout.tsx. */
function subscribe(cb: () => void) {
  const obs = new MutationObserver(cb);
  obs.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  return () => obs.disconnect();
}

export function ThemeToggle() {
  const dark = useSyncExternalStore(
    subscribe,
    () => document.documentElement.classList.contains('dark'),
    () => null,
  );
  const label = dark ? 'Switch to light theme' : 'Switch to dark theme';
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      data-testid="theme-toggle"
      onClick={() => {
        const next = !dark;
        document.documentElement.classList.toggle('dark', next);
        document.documentElement.classList.toggle('light', !next);
        try {
          localStorage.setItem('theme', next ? 'dark' : 'light');
        } catch {
          // storage unavailable (private mode): the choice lasts for this page only
        }
      }}
      className="inline-flex size-8 items-center justify-center rounded-md text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-white"
    >
      {dark === null ? null : dark ? <IconSun /> : <IconMoon />}
    </button>
  );
}
