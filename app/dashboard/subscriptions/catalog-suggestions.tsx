'use client';

import { useQuery } from '@tanstack/react-query';
import { matchesAny } from '@/server/domain/patterns';
import { useTRPC } from '../../_components/trpc';

/**
 * Patterns suggested from the event-type catalog: each type not yet covered by the patterns
 * typed so far, and `prefix.*` for a prefix several types share. A click adds it.
 */
export function CatalogSuggestions({ patterns, onAdd }: { patterns: string[]; onAdd: (pattern: string) => void }) {
  const trpc = useTRPC();
  const { data } = useQuery({ ...trpc.eventTypes.list.queryOptions({ limit: 200 }), staleTime: 60_000 });
  const types = data?.data ?? [];
  if (types.length === 0) return null;
  const prefixes = new Map<string, number>();
  for (const t of types) {
    const dot = t.name.lastIndexOf('.');
    if (dot > 0) prefixes.set(t.name.slice(0, dot), (prefixes.get(t.name.slice(0, dot)) ?? 0) + 1);
  }
  const wildcards = [...prefixes].filter(([, n]) => n > 1).map(([p]) => `${p}.*`);
  const suggestions = [
    ...wildcards
      .filter((w) => !patterns.includes(w))
      .map((w) => ({ pattern: w, title: `Every ${w.slice(0, -2)} type` })),
    ...types
      .filter((t) => !matchesAny(patterns, t.name))
      .map((t) => ({ pattern: t.name, title: t.description ?? t.name })),
  ].slice(0, 16);
  if (suggestions.length === 0) return null;
  return (
    <div
      role="group"
      aria-label="Suggestions from the catalog"
      className="mt-2 flex flex-wrap items-center gap-1.5 text-xs"
      data-testid="catalog-suggestions"
    >
      <span className="text-zinc-500 dark:text-zinc-400">From the catalog:</span>
      {suggestions.map((s) => (
        <button
          key={s.pattern}
          type="button"
          title={s.title}
          onClick={() => onAdd(s.pattern)}
          className="rounded-full border border-zinc-300 px-2 py-0.5 font-mono text-zinc-700 hover:border-indigo-400 hover:text-indigo-700 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:border-zinc-700 dark:text-zinc-300 dark:hover:border-indigo-500 dark:hover:text-indigo-300"
        >
          + {s.pattern}
        </button>
      ))}
    </div>
  );
}
