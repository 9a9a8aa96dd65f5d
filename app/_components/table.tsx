import Link from 'next/link';
import type { ReactNode } from 'react';

/**
 * Data tables. A row that opens a page carries a real link in its first cell (keyboard users tab to
 * it); the link's ::after stretches over the row so a click anywhere on the row follows it too.
 * Other interactive things in the row sit above it with `relative z-10`.
 */
export function Table({ children, label }: { children: ReactNode; label: string }) {
  return (
    <div className="overflow-x-auto">
      <table aria-label={label} className="w-full text-left text-sm">
        {children}
      </table>
    </div>
  );
}

export function Th({ children, className = '' }: { children?: ReactNode; className?: string }) {
  return (
    <th scope="col" className={`border-b border-zinc-200 bg-zinc-50/60 px-4 py-2 text-xs font-medium whitespace-nowrap text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400 ${className}`}>
      {children}
    </th>
  );
}

export function Tr({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <tr data-testid={testId} className="relative border-b border-zinc-100 last:border-0 hover:bg-zinc-50 has-[a:focus-visible]:bg-zinc-50 dark:border-zinc-800 dark:hover:bg-zinc-800/50 dark:has-[a:focus-visible]:bg-zinc-800/50">
      {children}
    </tr>
  );
}

export function Td({ children, className = '' }: { children?: ReactNode; className?: string }) {
  return <td className={`px-4 py-2.5 align-middle ${className}`}>{children}</td>;
}

export function RowLink({ href, children, className = '' }: { href: string; children: ReactNode; className?: string }) {
  return (
    <Link href={href} className={`rounded font-medium after:absolute after:inset-0 after:content-[''] hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 ${className}`}>
      {children}
    </Link>
  );
}
