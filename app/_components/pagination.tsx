'use client';

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

export function Pager({ page, nextCursor, onNext, onPrev, shown }: { page: number; nextCursor: string | null | undefined; onNext: (c: string) => void; onPrev: () => void; shown: number }) {
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
