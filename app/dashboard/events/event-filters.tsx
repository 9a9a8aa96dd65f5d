'use client';

import { useEffect } from 'react';
import { toLocalInput, viewerTimeZone } from '../../_components/date-time-field';
import { Input } from '../../_components/form';
import { IconSearch } from '../../_components/icons';
import {
  ClearFiltersButton,
  FilterSelect,
  FilterTextForm,
  RangeFilter,
  SubscriptionFilter,
  useTypedFilter,
} from '../_components/filter-bar';
import { timeRanges, useEventFilters, useEventQueryInput } from './use-event-filters';

/** An ISO time in the form a `datetime-local` input takes; empty when it is not a time. */
function localInputOf(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : toLocalInput(d);
}

/** The filters typed as text, by their key in the URL. */
const textFilters = [
  { name: 'tag', label: 'Tag' },
  { name: 'channel', label: 'Channel' },
] as const;

/** A filter typed as text (tag, channel): applied after a short pause, or at once on Enter. Its label is its placeholder. */
function TextFilter({
  id,
  label,
  value,
  invalid,
  onApply,
}: {
  id: string;
  label: string;
  value: string;
  invalid: boolean;
  onApply: (v: string) => void;
}) {
  const [text, setText] = useTypedFilter(value, onApply);
  useEffect(() => setText(value), [value]);
  return (
    <FilterTextForm id={id} label={label} className="w-28" onApply={() => onApply(text.trim())}>
      <Input
        id={id}
        value={text}
        onChange={(e) => setText(e.target.value)}
        placeholder={label}
        aria-invalid={invalid}
        aria-describedby={invalid ? 'event-search-problem' : undefined}
      />
    </FilterTextForm>
  );
}

/** A time of the custom range, in the viewer's zone; kept in the URL as ISO. */
function RangeEnd({ label, value, onChange }: { label: string; value: string; onChange: (iso: string) => void }) {
  return (
    <label className="flex items-center gap-2">
      {label}
      <Input
        type="datetime-local"
        value={localInputOf(value)}
        onChange={(e) => onChange(e.target.value ? new Date(e.target.value).toISOString() : '')}
        className="w-auto"
      />
    </label>
  );
}

export function EventFilterBar() {
  const { filters, set, clear } = useEventFilters();
  // Typing filters after a short pause; Enter applies at once.
  const [text, setText] = useTypedFilter(filters.q, (q) => set({ q }));
  const { problem, problemIn } = useEventQueryInput(filters);
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-start gap-3">
        <FilterTextForm
          id="event-search"
          label="Search events by id or type"
          role="search"
          className="w-full min-w-0 sm:min-w-60 sm:flex-1"
          onApply={() => set({ q: text.trim() })}
          problem={{ id: 'event-search-problem', text: problem }}
        >
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
        </FilterTextForm>
        <FilterSelect
          id="filter-status"
          label="Delivery status"
          value={filters.status}
          onChange={(status) => set({ status }, { push: true })}
          className="w-auto"
        >
          <option value="">Any status</option>
          <option value="succeeded">Succeeded</option>
          <option value="pending">Pending</option>
          <option value="dead">Dead letter</option>
          <option value="held">Held</option>
        </FilterSelect>
        <SubscriptionFilter
          id="filter-subscription"
          value={filters.sub}
          onChange={(sub) => set({ sub }, { push: true })}
          className="w-auto sm:max-w-64"
        />
        {textFilters.map(({ name, label }) => (
          <TextFilter
            key={name}
            id={`filter-${name}`}
            label={label}
            value={filters[name]}
            invalid={problemIn === name}
            onApply={(text) => set({ [name]: text })}
          />
        ))}
        <RangeFilter
          id="filter-range"
          ranges={timeRanges}
          value={filters.range}
          onChange={(range) => set({ range, ...(range !== 'custom' && { from: '', to: '' }) }, { push: true })}
        />
        <ClearFiltersButton filters={filters} clear={clear} clearText={setText} />
      </div>
      {filters.range === 'custom' && (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <RangeEnd label="From" value={filters.from} onChange={(from) => set({ from })} />
          <RangeEnd label="To" value={filters.to} onChange={(to) => set({ to })} />
          <span className="text-xs text-zinc-500 dark:text-zinc-400">in your time zone ({viewerTimeZone()})</span>
        </div>
      )}
    </div>
  );
}
