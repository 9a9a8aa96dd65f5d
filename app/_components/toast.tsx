'use client';

import Link from 'next/link';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { IconAlert, IconCheck, IconX } from './icons';

type Toast = {
  id: number;
  tone: 'success' | 'error';
  title: string;
  description?: string;
  link?: { href: string; label: string };
};
type ToastInput = Omit<Toast, 'id'>;

const ToastContext = createContext<(t: ToastInput) => void>(() => {});

/** Short confirmations after an action ("Test event sent"), announced politely to screen readers. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (t: ToastInput) => {
      const id = Date.now() + Math.random();
      setToasts((ts) => [...ts.slice(-2), { ...t, id }]);
      setTimeout(() => dismiss(id), t.tone === 'error' ? 8000 : 5000);
    },
    [dismiss],
  );
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div
        role="status"
        aria-live="polite"
        className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end"
      >
        {toasts.map((t) => (
          <div
            key={t.id}
            data-testid="toast"
            className="pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-lg border border-zinc-200 bg-white p-3 text-sm shadow-lg dark:border-zinc-700 dark:bg-zinc-800"
          >
            {t.tone === 'success' ? (
              <IconCheck className="mt-0.5 size-4 text-emerald-600 dark:text-emerald-400" />
            ) : (
              <IconAlert className="mt-0.5 size-4 text-red-600 dark:text-red-400" />
            )}
            <div className="min-w-0 flex-1">
              <p className="font-medium">{t.title}</p>
              {t.description && <p className="mt-0.5 text-zinc-600 dark:text-zinc-300">{t.description}</p>}
              {t.link && (
                <Link
                  href={t.link.href}
                  className="mt-1 inline-block font-medium text-indigo-600 hover:underline dark:text-indigo-400"
                >
                  {t.link.label}
                </Link>
              )}
            </div>
            <button
              type="button"
              onClick={() => dismiss(t.id)}
              aria-label="Dismiss"
              className="rounded p-0.5 text-zinc-500 hover:text-zinc-700 dark:text-zinc-400 dark:hover:text-zinc-200"
            >
              <IconX className="size-3.5" />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast() {
  return useContext(ToastContext);
}
