'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { plural } from '@/server/domain/wording';
import { CodeBlock } from '../../../_components/code';
import { CopyButton } from '../../../_components/copy-button';
import { isNotFound } from '../../../_components/errors';
import { PageHeader, Panel, Properties } from '../../../_components/panel';
import {
  DetailSkeleton,
  EmptyState,
  ErrorState,
  NotFoundState,
  PanelError,
  TableSkeleton,
} from '../../../_components/states';
import { SubscriptionStateBadge } from '../../../_components/status';
import { DateTime, RelativeTime } from '../../../_components/time';
import { useTRPC } from '../../../_components/trpc';
import { DeliveryTable } from '../../_components/delivery-table';
import type { Subscription } from '../../_components/types';
import { PatternChips } from '../subscription-list';
import { SecretPanel } from './secret-panel';
import { DispatchChart, QueueDepthChart, QueueNow, SubscriptionLatencyChart } from './stats-charts';
import { SubscriptionActions } from './subscription-actions';
import { SubscriptionBanners } from './subscription-banners';
import { WaitingFor } from '../../_components/waiting';
import { BackfillProgress } from './backfill-progress';
import { BlockedLanes } from './lanes';
import { EndpointAuthentication } from './endpoint-authentication';

export function SubscriptionDetailView({ id }: { id: string }) {
  const trpc = useTRPC();
  const {
    data: sub,
    error,
    refetch,
  } = useQuery({
    ...trpc.subscriptions.get.queryOptions({ id }),
    refetchInterval: (q) => (q.state.error ? false : 15_000),
  });
  if (error && isNotFound(error))
    return (
      <NotFoundState
        what="Subscription"
        id={id}
        back={{ href: '/dashboard/subscriptions', label: 'All subscriptions' }}
      />
    );
  if (error)
    return <ErrorState error={error} title="Could not load this subscription" onRetry={() => void refetch()} />;
  if (!sub) return <DetailSkeleton label="Loading subscription" eyebrow="w-24" title="w-96 max-w-full" body="h-72" />;
  return (
    <>
      <PageHeader
        eyebrow={
          <Link href="/dashboard/subscriptions" className="hover:text-zinc-900 hover:underline dark:hover:text-white">
            ← Subscriptions
          </Link>
        }
        title={
          <span className="flex flex-wrap items-center gap-3">
            <span className="font-mono text-xl break-all">{sub.url}</span>
            <SubscriptionStateBadge
              active={sub.active}
              disabledReason={sub.disabledReason}
              breakerState={sub.breaker.state}
            />
          </span>
        }
        description={
          <span className="flex flex-wrap items-center gap-x-3 gap-y-1">
            {sub.description && <span>{sub.description}</span>}
            <span className="inline-flex items-center gap-1 font-mono text-xs">
              {sub.id} <CopyButton text={sub.id} label="Copy subscription id" iconOnly />
            </span>
            <span>
              Created <RelativeTime at={sub.createdAt} />
            </span>
          </span>
        }
        actions={<SubscriptionActions sub={sub} />}
      />
      <SubscriptionBanners sub={sub} />
      <BackfillProgress id={id} />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="min-w-0 space-y-4">
          <QueueNow id={id} waiting={sub.waiting} />
          <BlockedLanes sub={sub} />
          <div className="grid gap-4 xl:grid-cols-2">
            <DispatchChart id={id} />
            <QueueDepthChart id={id} />
          </div>
          <SubscriptionLatencyChart id={id} />
          <SubscriptionDeliveries id={id} />
        </div>
        <div className="min-w-0 space-y-4">
          <SecretPanel sub={sub} />
          <ConfigPanel sub={sub} />
        </div>
      </div>
    </>
  );
}

const formatHours = (h: number) => `${Number(h.toFixed(2))} ${h === 1 ? 'hour' : 'hours'}`;

function ConfigPanel({ sub }: { sub: Subscription }) {
  const policy = sub.retryPolicy;
  return (
    <Panel title="Configuration">
      <Properties
        items={[
          { label: 'Event types', value: <PatternChips patterns={sub.eventTypes} max={20} /> },
          {
            label: 'Channels',
            value: sub.channels.length ? (
              <span className="flex flex-wrap gap-1.5" data-testid="subscription-channels">
                {sub.channels.map((c) => (
                  <code key={c} className="rounded-md bg-zinc-100 px-1.5 py-0.5 text-xs break-all dark:bg-zinc-800">
                    {c}
                  </code>
                ))}
              </span>
            ) : (
              'Any: every event, whatever its channels'
            ),
          },
          {
            label: 'Filter',
            value: sub.filter ? (
              <CodeBlock label="Payload filter" testId="subscription-filter" maxHeight="max-h-48">
                {JSON.stringify(sub.filter, null, 2)}
              </CodeBlock>
            ) : (
              'None: every event of a matching type'
            ),
          },
          {
            label: 'Custom headers',
            value: Object.keys(sub.headers).length ? (
              <span className="block space-y-0.5 font-mono text-xs" data-testid="subscription-headers">
                {Object.keys(sub.headers).map((name) => (
                  <span key={name} className="block break-all">
                    {name}: <span className="text-zinc-500 dark:text-zinc-400">[redacted]</span>
                  </span>
                ))}
              </span>
            ) : (
              'None'
            ),
          },
          { label: 'Authentication', value: <EndpointAuthentication auth={sub.auth} /> },
          {
            label: 'Transformation',
            value: sub.transform ? (
              <>
                <span className="mb-1 block text-xs text-zinc-500 dark:text-zinc-400">
                  Version {sub.transformVersion}
                </span>
                <CodeBlock label="Transformation" testId="subscription-transform" maxHeight="max-h-48">
                  {sub.transform}
                </CodeBlock>
              </>
            ) : (
              'None: events are sent as published'
            ),
          },
          {
            label: 'Retries',
            value: policy
              ? `${plural(policy.maxAttempts ?? (policy.scheduleSeconds ? policy.scheduleSeconds.length + 1 : 12), 'attempt')}${policy.scheduleSeconds ? `, after ${policy.scheduleSeconds.map((s) => `${s}s`).join(', ')}` : ''}`
              : '12 attempts over about 24 hours (default)',
          },
          {
            label: 'Signature',
            value: sub.signatureScheme === 'v1a' ? 'v1a: Ed25519, public key' : 'v1: HMAC-SHA256, shared secret',
          },
          { label: 'Rate limit', value: sub.rateLimitPerSecond ? `${sub.rateLimitPerSecond} per second` : 'None' },
          {
            label: 'Auto-disable',
            value: (
              <span data-testid="subscription-auto-disable">
                {sub.autoDisableAfterHours === null
                  ? 'Never'
                  : `After ${formatHours(sub.autoDisableAfterHours)} of failing attempts`}
              </span>
            ),
          },
          { label: 'Concurrency', value: `${sub.maxInFlight} requests in flight` },
          { label: 'Timeout', value: `${sub.timeoutMs / 1000} s per attempt` },
          { label: 'Trace context', value: sub.traceContext ? 'Sent (traceparent header)' : 'Not sent' },
          {
            label: 'Ordering lanes',
            value: (
              <span data-testid="subscription-ordering">
                {sub.ordering === 'strict'
                  ? 'Strict: a dead letter holds its lane until replayed or skipped'
                  : 'Lenient: a lane moves on past a dead letter'}
              </span>
            ),
          },
          {
            label: 'Circuit breaker',
            value: !sub.active ? (
              // A paused or disabled subscription sends nothing: its breaker state says nothing about health.
              <WaitingFor waiting={sub.waiting} subject="subscription" />
            ) : sub.breaker.state === 'closed' ? (
              'Closed (healthy)'
            ) : (
              <>
                {sub.breaker.state === 'open' ? 'Open' : 'Half-open'} after {sub.breaker.consecutiveFailures} failures
                {sub.breaker.probeAt && (
                  <>
                    ; next probe <RelativeTime at={sub.breaker.probeAt} future />
                  </>
                )}
              </>
            ),
          },
          { label: 'Updated', value: <DateTime at={sub.updatedAt} /> },
        ]}
      />
    </Panel>
  );
}

function SubscriptionDeliveries({ id }: { id: string }) {
  const trpc = useTRPC();
  const { data, error, refetch } = useQuery({
    ...trpc.deliveries.list.queryOptions({ subscriptionId: id, limit: 10 }),
    refetchInterval: 3000,
  });
  return (
    <Panel
      title="Recent deliveries"
      actions={
        <Link
          href={`/dashboard/events?sub=${id}`}
          className="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400"
        >
          All events →
        </Link>
      }
    >
      {error ? (
        <PanelError error={error} title="Could not load deliveries" onRetry={() => void refetch()} />
      ) : !data ? (
        <TableSkeleton rows={3} label="Loading deliveries" />
      ) : data.data.length === 0 ? (
        <EmptyState title="No deliveries yet">
          Send a test event, or publish an event that matches this subscription.
        </EmptyState>
      ) : (
        <DeliveryTable rows={data.data} label="Recent deliveries of this subscription" />
      )}
    </Panel>
  );
}
