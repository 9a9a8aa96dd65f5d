'use client';

import { useEffect, useState, type ReactNode } from 'react';
import { Button } from '../../_components/button';
import { Select } from '../../_components/form';
import { SubscriptionOptions } from './subscription-options';

/**
 * The pieces of a list's filter bar (events, dead letters): each filter labelled for screen readers
 * only, typed text applied after a short pause, and a button that clears them all.
 */

/** Text typed into a filter, applied (trimmed) after a short pause: [text, setText]. Enter applies it at once (the form's submit). */
export function useTypedFilter(value: string, apply: (text: string) => void) {
  const [text, setText] = useState(value);
  useEffect(() => {
    if (text.trim() === value) return;
    const t = setTimeout(() => apply(text.trim()), 350);
    return () => clearTimeout(t);
    // `apply` reads the live URL, so it need not be a dependency.
  }, [text, value]);
  return [text, setText] as const;
}

/** A typed filter's form: its hidden label, its input, and what is wrong with it (announced). Submitting applies it. */
export function FilterTextForm({
  id,
  label,
  className,
  role,
  onApply,
  problem,
  children,
}: {
  id: string;
  label: string;
  className: string;
  role?: 'search';
  onApply: () => void;
  /** Shown under the input, with the id its aria-describedby names. */
  problem?: { id: string; text: string | null };
  children: ReactNode;
}) {
  return (
    <form
      role={role}
      className={className}
      onSubmit={(e) => {
        e.preventDefault();
        onApply();
      }}
    >
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      {children}
      {problem?.text && (
        <p id={problem.id} role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400">
          {problem.text}
        </p>
      )}
    </form>
  );
}

/** A filter picked from a list, its label for screen readers only; a pick is a history entry (the caller's `onChange`). */
export function FilterSelect({
  id,
  label,
  value,
  onChange,
  className,
  wrapperClassName,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  className: string;
  wrapperClassName?: string;
  children: ReactNode;
}) {
  return (
    <div className={wrapperClassName}>
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <Select id={id} value={value} onChange={(e) => onChange(e.target.value)} className={className}>
        {children}
      </Select>
    </div>
  );
}

/** The time-range filter: one option per range the list offers. */
export function RangeFilter({
  id,
  ranges,
  value,
  onChange,
}: {
  id: string;
  ranges: readonly { value: string; label: string }[];
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <FilterSelect id={id} label="Time range" value={value} onChange={onChange} className="w-auto">
      {ranges.map((r) => (
        <option key={r.value} value={r.value}>
          {r.label}
        </option>
      ))}
    </FilterSelect>
  );
}

/** The subscription filter: "All subscriptions", then each endpoint. */
export function SubscriptionFilter({
  id,
  value,
  onChange,
  className,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  className: string;
}) {
  return (
    <FilterSelect
      id={id}
      label="Subscription"
      value={value}
      onChange={onChange}
      className={className}
      wrapperClassName="min-w-0 max-w-full"
    >
      <SubscriptionOptions />
    </FilterSelect>
  );
}

/** Shown while any filter is set: clears them all, and empties the typed text (`clearText`). */
export function ClearFiltersButton({
  filters,
  clear,
  clearText,
}: {
  filters: Record<string, string>;
  clear: () => void;
  clearText: (text: string) => void;
}) {
  if (!Object.values(filters).some(Boolean)) return null;
  return (
    <Button
      variant="ghost"
      onClick={() => {
        clearText('');
        clear();
      }}
    >
      Clear filters
    </Button>
  );
}
