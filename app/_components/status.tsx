import type { ReactNode } from 'react';
import { IconAlert, IconBan, IconCheck, IconClock, IconPause, IconX } from './icons';

/** Status colours always come with an icon and a word, so they read without colour too. */
type Tone = 'green' | 'red' | 'blue' | 'amber' | 'zinc';
const tones: Record<Tone, string> = {
  green:
    'bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-300 dark:ring-emerald-400/30',
  red: 'bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-500/10 dark:text-red-300 dark:ring-red-400/30',
  blue: 'bg-sky-50 text-sky-700 ring-sky-600/20 dark:bg-sky-500/10 dark:text-sky-300 dark:ring-sky-400/30',
  amber: 'bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-500/10 dark:text-amber-300 dark:ring-amber-400/30',
  zinc: 'bg-zinc-100 text-zinc-700 ring-zinc-500/20 dark:bg-zinc-500/10 dark:text-zinc-300 dark:ring-zinc-400/30',
};

export function Badge({
  tone,
  icon,
  children,
  title,
}: {
  tone: Tone;
  icon?: ReactNode;
  children: ReactNode;
  title?: string;
}) {
  return (
    <span
      title={title}
      className={`inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${tones[tone]}`}
    >
      {icon}
      {children}
    </span>
  );
}

/** How each delivery status reads: its colour, icon and name, and what it means (the badge's tooltip). */
const deliveryStatus: Record<string, { tone: Tone; label: string; Icon: typeof IconCheck; hint: string }> = {
  succeeded: { tone: 'green', label: 'Succeeded', Icon: IconCheck, hint: 'The endpoint answered 2xx' },
  pending: { tone: 'blue', label: 'Pending', Icon: IconClock, hint: 'Waiting for its next attempt' },
  dead: {
    tone: 'red',
    label: 'Dead letter',
    Icon: IconX,
    hint: 'Every attempt failed; replay it when the endpoint is fixed',
  },
  held: { tone: 'amber', label: 'Held', Icon: IconPause, hint: 'Waiting for its subscription to be enabled again' },
};

export function DeliveryStatusBadge({ status }: { status: string }) {
  const s = deliveryStatus[status];
  if (!s) return <Badge tone="zinc">{status}</Badge>;
  return (
    <Badge tone={s.tone} icon={<s.Icon className="size-3" />} title={s.hint}>
      {s.label}
    </Badge>
  );
}

/** Per-status delivery counts, in the statuses' order, each with its status's icon; a status with none is left out. */
export function DeliveryCountBadges({ counts }: { counts: Record<string, number> }) {
  return Object.entries(deliveryStatus).map(([status, s]) =>
    counts[status] ? (
      <Badge key={status} tone={s.tone} icon={<s.Icon className="size-3" />}>
        {counts[status]} {status}
      </Badge>
    ) : null,
  );
}

/** An HTTP status code, coloured by class, with the class in words for screen readers. */
export function HttpStatus({ code }: { code: number | null | undefined }) {
  if (code === null || code === undefined) return <span className="text-zinc-500 dark:text-zinc-400">—</span>;
  const tone: Tone = code >= 200 && code < 300 ? 'green' : code >= 500 ? 'red' : code >= 400 ? 'amber' : 'zinc';
  return (
    <Badge tone={tone}>
      <span className="font-mono">{code}</span>
    </Badge>
  );
}

export function SubscriptionStateBadge({
  active,
  disabledReason,
  breakerState,
}: {
  active: boolean;
  disabledReason?: string | null;
  breakerState?: string;
}) {
  if (!active && disabledReason)
    return (
      <Badge tone="red" icon={<IconBan className="size-3" />} title={disabledReason}>
        Disabled
      </Badge>
    );
  if (!active)
    return (
      <Badge tone="amber" icon={<IconPause className="size-3" />} title="Paused: deliveries are held until you resume">
        Paused
      </Badge>
    );
  if (breakerState === 'open' || breakerState === 'half_open')
    return (
      <Badge
        tone="amber"
        icon={<IconAlert className="size-3" />}
        title="The endpoint kept failing: Hookrelay is probing before sending more"
      >
        {breakerState === 'open' ? 'Circuit open' : 'Probing'}
      </Badge>
    );
  return (
    <Badge tone="green" icon={<IconCheck className="size-3" />}>
      Active
    </Badge>
  );
}
