import Link from 'next/link';
import type { ReactNode } from 'react';

/**
 * Data tables. A row that opens a page carries a real link in its first cell (keyboard users tab to
 * it); the link's ::after stretches over the row so a click anywhere on the row follows it too.
 * Other interactive things in the row sit above it with `relative z-10`.
 *
 * Below the `sm` breakpoint (a phone) the same markup becomes stacked rows: the header row hides,
 * each row is a small card whose cells wrap side by side, and a cell's `label` names it. One markup
 * for both, so a row is in the page once (tests and assistive tech count it once).
 */
export function Table({ children, label }: { children: ReactNode; label: string }) {
  return (
    <div className="max-sm:overflow-visible sm:overflow-x-auto">
      <table aria-label={label} className="w-full text-left text-sm max-sm:block">
        {children}
      </table>
    </div>
  );
}

/** The header row: hidden on a phone, where rows are cards and cells carry their own labels. */
export function THead({ children }: { children: ReactNode }) {
  return <thead className="max-sm:sr-only">{children}</thead>;
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="max-sm:block">{children}</tbody>;
}

export function Th({ children, className = '' }: { children?: ReactNode; className?: string }) {
  return (
    <th
      scope="col"
      className={`border-b border-zinc-200 bg-zinc-50/60 px-4 py-2 text-xs font-medium whitespace-nowrap text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400 ${className}`}
    >
      {children}
    </th>
  );
}

export function Tr({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <tr
      data-testid={testId}
      className="relative border-b border-zinc-100 last:border-0 hover:bg-zinc-50 has-[a:focus-visible]:bg-zinc-50 max-sm:flex max-sm:flex-wrap max-sm:items-center max-sm:gap-x-3 max-sm:gap-y-1.5 max-sm:px-4 max-sm:py-3 dark:border-zinc-800 dark:hover:bg-zinc-800/50 dark:has-[a:focus-visible]:bg-zinc-800/50"
    >
      {children}
    </tr>
  );
}

/**
 * A cell. On a phone it is a block in the row's wrap: `label` is shown before it there (the header
 * row is hidden), `wide` gives it the whole width of the card.
 */
export function Td({
  children,
  className = '',
  label,
  wide = false,
}: {
  children?: ReactNode;
  className?: string;
  label?: string;
  wide?: boolean;
}) {
  return (
    <td
      className={`px-4 py-2.5 align-middle max-sm:min-w-0 max-sm:p-0 max-sm:text-left ${wide ? 'max-sm:w-full' : ''} ${className}`}
    >
      {label && <span className="mr-1.5 text-xs text-zinc-500 sm:hidden dark:text-zinc-400">{label}</span>}
      {children}
    </td>
  );
}

export function RowLink({ href, children, className = '' }: { href: string; children: ReactNode; className?: string }) {
  return (
    <Link
      href={href}
      className={`rounded font-medium after:absolute after:inset-0 after:content-[''] hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 ${className}`}
    >
      {children}
    </Link>
  );
}
