import Link from 'next/link';
import type { ReactNode } from 'react';
import { describeError, errorCode } from './errors';
import { IconAlert, IconInbox } from './icons';

/** A grey block holding the place of content still loading, so nothing jumps when it arrives. */
export function Skeleton({ className = 'h-4 w-full' }: { className?: string }) {
  return <div className={`animate-pulse rounded bg-zinc-200/80 dark:bg-zinc-800 ${className}`} />;
}

export function TableSkeleton({ rows = 5, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <div role="status" aria-label={label} className="divide-y divide-zinc-100 dark:divide-zinc-800">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="flex h-12 items-center gap-4 px-4">
          <Skeleton className="h-4 w-24" />
          <Skeleton className="h-4 w-40" />
          <Skeleton className="h-4 flex-1" />
          <Skeleton className="h-4 w-16" />
        </div>
      ))}
      <span className="sr-only">{label}…</span>
    </div>
  );
}

/**
 * A detail page still loading: its header's eyebrow and title, then one block for the body. The
 * sizes are Tailwind classes, so each page keeps the shape of what will replace it.
 */
export function DetailSkeleton({
  label,
  eyebrow,
  title,
  body,
}: {
  label: string;
  /** Width of the eyebrow line. */
  eyebrow: string;
  /** Width of the title line. */
  title: string;
  /** Height of the body block. */
  body: string;
}) {
  return (
    <div role="status" aria-label={label} className="space-y-3">
      <Skeleton className={`h-3 ${eyebrow}`} />
      <Skeleton className={`h-7 ${title}`} />
      <Skeleton className={`mt-6 ${body}`} />
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-col items-center justify-center px-6 py-12 text-center">
      <IconInbox className="mb-3 size-8 text-zinc-300 dark:text-zinc-600" />
      <p className="font-medium">{title}</p>
      {children && <div className="mt-1 max-w-md text-sm text-zinc-500 dark:text-zinc-400">{children}</div>}
      {action && <div className="mt-4">{action}</div>}
    </div>
  );
}

export function ErrorState({
  error,
  title = 'Could not load this',
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  return (
    <div
      role="alert"
      className="flex items-start gap-3 rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200"
    >
      <IconAlert className="mt-0.5 size-4" />
      <div className="flex-1">
        <p className="font-medium">{title}</p>
        <p className="mt-0.5">{describeError(error)}</p>
      </div>
      {errorCode(error) === 'unauthorized' ? (
        <Link href="/login" className="font-medium underline underline-offset-2 hover:no-underline">
          Sign in
        </Link>
      ) : (
        onRetry && (
          <button
            type="button"
            onClick={onRetry}
            className="font-medium underline underline-offset-2 hover:no-underline"
          >
            Try again
          </button>
        )
      )}
    </div>
  );
}

/** A panel's content that could not load: the error, inset in the panel, with a retry. */
export function PanelError({ error, title, onRetry }: { error: unknown; title: string; onRetry: () => void }) {
  return (
    <div className="p-4">
      <ErrorState error={error} title={title} onRetry={onRetry} />
    </div>
  );
}

/** What another customer's object (or a wrong id) looks like: it does not exist for this account. */
export function NotFoundState({ what, id, back }: { what: string; id: string; back: { href: string; label: string } }) {
  return (
    <div className="rounded-xl border border-zinc-200 bg-white px-6 py-16 text-center dark:border-zinc-800 dark:bg-zinc-900">
      <p className="text-sm font-medium text-zinc-500 dark:text-zinc-400">404</p>
      <h1 className="mt-1 text-xl font-semibold">{what} not found</h1>
      <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">
        No {what.toLowerCase()} <span className="font-mono">{id}</span> exists in this account.
      </p>
      <Link
        href={back.href}
        className="mt-6 inline-block text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400"
      >
        ← {back.label}
      </Link>
    </div>
  );
}
