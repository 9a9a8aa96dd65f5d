'use client';

import { useEffect, useState } from 'react';
import { Button } from '../../_components/button';
import { Input, Select } from '../../_components/form';
import { IconSearch } from '../../_components/icons';
import { SubscriptionOptions } from '../_components/subscription-options';
import { timeRanges, useEventFilters, useEventQueryInput } from './use-event-filters';

/** `datetime-local` wants "YYYY-MM-DDTHH:mm" in the viewer's zone. */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A filter typed as text (tag, channel): applied after a short pause, or at once on Enter. */
function TextFilter({
  id,
  label,
  placeholder,
  value,
  invalid,
  onApply,
}: {
  id: string;
  label: string;
  placeholder: string;
  value: string;
  invalid: boolean;
  onApply: (v: string) => void;
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text.trim() === value) return;
    const t = setTimeout(() => onApply(text.trim()), 350);
    return () => clearTimeout(t);
    // `onApply` reads the live URL, so it need not be a dependency.
  }, [text, value]);
  return (
    <form
      className="w-28"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(text.trim());
      }}
    >
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <Input
        id={id}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={placeholder}
        aria-invalid={invalid}
        aria-describedby={invalid ? 'event-search-problem' : undefined}
      />
    </form>
  );
}

export function EventFilterBar() {
  const { filters, set, clear } = useEventFilters();
  const [text, setText] = useState(filters.q);
  // Typing filters after a short pause; Enter applies at once.
  useEffect(() => {
    if (text === filters.q) return;
    const t = setTimeout(() => set({ q: text.trim() }), 350);
    return () => clearTimeout(t);
    // `set` reads the live URL, so it need not be a dependency.
  }, [text, filters.q]);
  const active = Object.values(filters).some(Boolean);
  const { problem, problemIn } = useEventQueryInput(filters);
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-start gap-3">
        <form
          role="search"
          className="w-full min-w-0 sm:min-w-60 sm:flex-1"
          onSubmit={(e) => {
            e.preventDefault();
            set({ q: text.trim() });
          }}
        >
          <label htmlFor="event-search" className="sr-only">
            Search events by id or type
          </label>
          <div className="relative">
            <IconSearch className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-500" />
            <Input
              id="event-search"
              type="search"
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="Search by event id (evt_…) or type (order.created, order.*)"
              className="pl-8"
              aria-invalid={problemIn === 'q'}
              aria-describedby={problem ? 'event-search-problem' : undefined}
            />
          </div>
          {problem && (
            <p id="event-search-problem" role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400">
              {problem}
            </p>
          )}
        </form>
        <div>
          <label htmlFor="filter-status" className="sr-only">
            Delivery status
          </label>
          <Select id="filter-status" value={filters.status} onChange={(e) => set({ status: e.target.value }, { push: true })} className="w-auto">
            <option value="">Any status</option>
            <option value="succeeded">Succeeded</option>
            <option value="pending">Pending</option>
            <option value="dead">Dead letter</option>
            <option value="held">Held</option>
          </Select>
        </div>
        <div className="min-w-0 max-w-full">
          <label htmlFor="filter-subscription" className="sr-only">
            Subscription
          </label>
          <Select id="filter-subscription" value={filters.sub} onChange={(e) => set({ sub: e.target.value }, { push: true })} className="w-auto sm:max-w-64">
            <SubscriptionOptions />
          </Select>
        </div>
        <TextFilter id="filter-tag" label="Tag" placeholder="Tag" value={filters.tag} invalid={problemIn === 'tag'} onApply={(tag) => set({ tag })} />
        <TextFilter
          id="filter-channel"
          label="Channel"
          placeholder="Channel"
          value={filters.channel}
          invalid={problemIn === 'channel'}
          onApply={(channel) => set({ channel })}
        />
        <div>
          <label htmlFor="filter-range" className="sr-only">
            Time range
          </label>
          <Select
            id="filter-range"
            value={filters.range}
            onChange={(e) => set({ range: e.target.value, ...(e.target.value !== 'custom' && { from: '', to: '' }) }, { push: true })}
            className="w-auto"
          >
            {timeRanges.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </Select>
        </div>
        {active && (
          <Button
            variant="ghost"
            onClick={() => {
              setText('');
              clear();
            }}
          >
            Clear filters
          </Button>
        )}
      </div>
      {filters.range === 'custom' && (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <label className="flex items-center gap-2">
            From
            <Input
              type="datetime-local"
              value={toLocalInput(filters.from)}
              onChange={(e) => set({ from: e.target.value ? new Date(e.target.value).toISOString() : '' })}
              className="w-auto"
            />
          </label>
          <label className="flex items-center gap-2">
            To
            <Input
              type="datetime-local"
              value={toLocalInput(filters.to)}
              onChange={(e) => set({ to: e.target.value ? new Date(e.target.value).toISOString() : '' })}
              className="w-auto"
            />
          </label>
          <span className="text-xs text-zinc-500 dark:text-zinc-400">in your time zone ({Intl.DateTimeFormat().resolvedOptions().timeZone})</span>
        </div>
      )}
    </div>
  );
}
