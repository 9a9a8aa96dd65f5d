'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Button } from './button';
import { IconChevronLeft, IconChevronRight } from './icons';

/**
 * Cursor pagination kept in the URL (`?pages=c1,c2`: the cursors that opened each page after the first), so a
 * refresh stays on the page and the back button returns to it from a row's page. Going to the next
 * page adds a history entry; filters that change drop the parameter (they start at page 1). With
 * `wellFormed`, a cursor that does not match it (a hand-edited URL) is ignored, not sent to the API.
 */
export function useUrlCursorPages(param = 'pages', wellFormed = /^[A-Za-z0-9_-]{1,64}$/) {
  const params = useSearchParams();
  const router = useRouter();
  const path = usePathname();
  const stack = (params.get(param) ?? '').split(',').filter((c) => wellFormed.test(c));
  const go = (next: string[], push: boolean) => {
    const qs = new URLSearchParams(window.location.search);
    if (next.length) qs.set(param, next.join(','));
    else qs.delete(param);
    const url = qs.toString() ? `${path}?${qs.toString()}` : path;
    if (push) router.push(url, { scroll: false });
    else router.replace(url, { scroll: false });
  };
  return {
    cursor: stack.at(-1),
    page: stack.length + 1,
    next: (cursor: string) => go([...stack, cursor], true),
    prev: () => go(stack.slice(0, -1), true),
  };
}

/** Previous and Next under a list, with the page's number and how many rows it shows; nothing while there is one page. */
export function Pager({
  pages: { page, next: onNext, prev: onPrev },
  result,
}: {
  /** The URL's pages (useUrlCursorPages). */
  pages: { page: number; next: (cursor: string) => void; prev: () => void };
  /** The page the API returned: its rows and the cursor of the next one. */
  result: { data: unknown[]; nextCursor: string | null | undefined };
}) {
  const { nextCursor } = result;
  const shown = result.data.length;
  if (page === 1 && !nextCursor) return null;
  return (
    <nav
      aria-label="Pagination"
      className="flex items-center justify-between gap-3 border-t border-zinc-100 px-4 py-3 text-sm dark:border-zinc-800"
    >
      <span className="text-zinc-500 dark:text-zinc-400">
        Page {page} · {shown} shown
      </span>
      <div className="flex gap-2">
        <Button size="sm" onClick={onPrev} disabled={page === 1}>
          <IconChevronLeft className="size-3.5" /> Previous
        </Button>
        <Button size="sm" onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor}>
          Next <IconChevronRight className="size-3.5" />
        </Button>
      </div>
    </nav>
  );
}
