'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { Button } from './button';
import { IconChevronLeft, IconChevronRight } from './icons';

/**
 * Cursor pagination state: a stack of the cursors that opened each page. Going back pops; a new
 * `resetKey` (the filters changed) starts again at the first page.
 */
export function useCursorPages(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: (string | undefined)[] }>({ key: resetKey, stack: [undefined] });
  const stack = state.key === resetKey ? state.stack : [undefined];
  return {
    cursor: stack.at(-1),
    page: stack.length,
    next: (cursor: string) => setState({ key: resetKey, stack: [...stack, cursor] }),
    prev: () => setState({ key: resetKey, stack: stack.slice(0, -1) }),
  };
}

/**
 * The same, kept in the URL (`?pages=c1,c2`: the cursors that opened each page after the first), so a
 * refresh stays on the page and the back button returns to it from a row's page. Going to the next
 * page adds a history entry; filters that change drop the parameter (they start at page 1).
 */
export function useUrlCursorPages(param = 'pages') {
  const params = useSearchParams();
  const router = useRouter();
  const path = usePathname();
  const stack = (params.get(param) ?? '').split(',').filter((c) => /^[A-Za-z0-9_-]{1,64}$/.test(c));
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

export function Pager({
  page,
  nextCursor,
  onNext,
  onPrev,
  shown,
}: {
  page: number;
  nextCursor: string | null | undefined;
  onNext: (c: string) => void;
  onPrev: () => void;
  shown: number;
}) {
  if (page === 1 && !nextCursor) return null;
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-3 border-t border-zinc-100 px-4 py-3 text-sm dark:border-zinc-800">
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
