'use client';

import { useSyncExternalStore, type ReactNode } from 'react';

/**
 * Times are shown in the viewer's zone (the browser's Intl defaults), relative where recency
 * matters ("3 min ago") with the full timestamp on hover. One shared ticker re-renders every
 * relative time together instead of one timer per cell.
 */
const TICK_MS = 10_000;
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
let tick = Date.now();

function subscribe(cb: () => void) {
  listeners.add(cb);
  if (!timer) {
    tick = Date.now();
    timer = setInterval(() => {
      tick = Date.now();
      for (const l of listeners) l();
    }, TICK_MS);
  }
  return () => {
    listeners.delete(cb);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** Milliseconds since epoch, refreshed every 10 s; 0 during server rendering. */
export function useNow(): number {
  return useSyncExternalStore(
    subscribe,
    () => tick,
    () => 0,
  );
}

const full = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});
const dayTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const calendarDate = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export const formatFull = (d: Date | string) => full.format(new Date(d));
const formatDayTime = (d: Date | string) => dayTime.format(new Date(d));
export const formatClock = (d: Date | string) => clock.format(new Date(d));

function formatRelative(at: number, now: number): string {
  const diff = Math.round((now - at) / 1000);
  const future = diff < 0;
  const s = Math.abs(diff);
  let text: string;
  if (s < 10) return future ? 'in a few seconds' : 'just now';
  if (s < 60) text = `${s} s`;
  else if (s < 3600) text = `${Math.floor(s / 60)} min`;
  else if (s < 86400) text = `${Math.floor(s / 3600)} h`;
  else if (s < 30 * 86400) text = `${Math.floor(s / 86400)} d`;
  else return dayTime.format(new Date(at));
  return future ? `in ${text}` : `${text} ago`;
}

/**
 * "3 min ago", the full timestamp in the viewer's zone on hover and for assistive tech. Times that
 * are in the past by nature (created, sent) never read "in 2 s" when the browser's clock lags the
 * server's; `future` allows "in 3 min" for scheduled times (next retry).
 */
export function RelativeTime({
  at,
  className,
  future = false,
}: {
  at: string | Date;
  className?: string;
  future?: boolean;
}) {
  const tick = useNow();
  const d = new Date(at);
  // The shared tick only triggers re-renders; the text uses the clock at render time.
  const now = tick === 0 ? 0 : Date.now();
  const t = future ? d.getTime() : Math.min(d.getTime(), now);
  return (
    <time dateTime={d.toISOString()} title={formatFull(d)} className={className}>
      {now === 0 ? formatDayTime(d) : formatRelative(t, now)}
    </time>
  );
}

/** "Mar 4, 10:30:20" with the full timestamp on hover. */
export function DateTime({ at, className }: { at: string | Date; className?: string }) {
  const d = new Date(at);
  return (
    <time dateTime={d.toISOString()} title={formatFull(d)} className={className}>
      {formatDayTime(d)}
    </time>
  );
}

/** "Mar 4, 2027" (a day, with its year: an expiry date), the full timestamp on hover. */
export function CalendarDate({ at, className, testId }: { at: string | Date; className?: string; testId?: string }) {
  const d = new Date(at);
  return (
    <time dateTime={d.toISOString()} title={formatFull(d)} className={className} data-testid={testId}>
      {calendarDate.format(d)}
    </time>
  );
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** An ISO 8601 timestamp with a zone, as the API writes times inside text ("410 Gone at 2026-03-04T10:30:20.123Z"). */
const isoTimestamp = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** The whole string is one such timestamp (`updatedAt` in a change). */
export const isTimestamp = (s: string) =>
  new RegExp(`^(?:${isoTimestamp.source})$`).test(s) && !Number.isNaN(Date.parse(s));

/**
 * Text from the API with every timestamp in it shown as a `DateTime` in the viewer's zone (a
 * disabled subscription's reason, a change in the audit log), the rest as written.
 */
export function TextWithTimes({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(isoTimestamp)) {
    if (Number.isNaN(Date.parse(m[0]))) continue;
    parts.push(text.slice(last, m.index), <DateTime key={m.index} at={m[0]} />);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}
