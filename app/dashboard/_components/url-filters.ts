'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';

/** A well-formed subscription id, as the API checks it (server/domain/ids.ts); a malformed one is not sent. */
export const subscriptionIdPattern = /^sub_[0-9A-HJKMNP-TV-Z]{26}$/;

/** Time windows a list can be narrowed to; `custom` means explicit `from`/`to`. */
export const timeRanges = [
  { value: '', label: 'Any time', ms: 0 },
  { value: '1h', label: 'Last hour', ms: 3600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: 'custom', label: 'Custom range…', ms: 0 },
] as const;

/**
 * A list's filters, kept in the URL: shareable, kept by a refresh and by the back button. `set` with
 * `push` makes a history entry (back undoes it); without, it replaces the entry (typing as it goes).
 * Any change starts again at the first page (the `pages` cursors are dropped), but for one with
 * `keepPage`: a setting that changes how rows are shown, not which rows a page holds.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const params = useSearchParams();
  const router = useRouter();
  const path = usePathname();
  const filters = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as Record<K, string>;
  const set = (patch: Partial<Record<K, string>>, opts: { push?: boolean; keepPage?: boolean } = {}) => {
    // From the live URL, not this render's params: a debounced update must not undo a newer one.
    const next = new URLSearchParams(window.location.search);
    let changed = false;
    for (const [k, v] of Object.entries(patch) as Array<[string, string]>) {
      if ((next.get(k) ?? '') === v) continue;
      changed = true;
      if (v) next.set(k, v);
      else next.delete(k);
    }
    if (!changed) return;
    if (!opts.keepPage) next.delete('pages');
    const qs = next.toString();
    const url = qs ? `${path}?${qs}` : path;
    if (opts.push) router.push(url, { scroll: false });
    else router.replace(url, { scroll: false });
  };
  return { filters, set, clear: () => router.push(path, { scroll: false }) };
}
