import { z } from 'zod';
import { sendTestEvent } from '../../domain/events/test-event';
import { testFilter } from '../../domain/subscriptions/filter-dry-run';
import { testTransform } from '../../domain/subscriptions/transform-dry-run';
import { backfillInput, backfillPreviewInput, listBackfillsInput } from '../../domain/replay/inputs';
import {
  createSubscriptionInput,
  listSubscriptionsInput,
  testFilterInput,
  testTransformInput,
  updateSubscriptionInput,
} from '../../domain/subscriptions/inputs';
import { idOf } from '../../domain/inputs';
import { listLanesInput, skipLaneInput } from '../../domain/delivery/inputs';
import { listBackfills, previewBackfill, startBackfill } from '../../domain/replay/backfill';
import { listBlockedLanes, skipLaneHead } from '../../domain/delivery/lanes';
import { subscriptionStats } from '../../domain/insights/stats';
import {
  createSubscription,
  deleteSubscription,
  probeNow,
  updateSubscription,
} from '../../domain/subscriptions/subscription-changes';
import {
  getSubscription,
  getSubscriptionSecret,
  listSubscriptions,
} from '../../domain/subscriptions/subscription-reads';
import { rotateSecret } from '../../domain/subscriptions/signing-secret-rotation';
import {
  secretOutput,
  subscriptionOutput,
  subscriptionPageOutput,
  subscriptionStatsOutput,
  subscriptionWithSecretOutput,
  testEventOutput,
  testFilterOutput,
  testTransformOutput,
} from '../outputs/subscriptions';
import { deletedOutput } from '../outputs/base';
import { lanePageOutput, laneSkipOutput } from '../outputs/deliveries';
import { backfillOutput, backfillPreviewOutput, replayPageOutput } from '../outputs/replays';
import { authedProcedure, router } from '../trpc';

const byId = z.strictObject({ id: idOf('subscription') });

export const subscriptionsRouter = router({
  create: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/subscriptions',
        status: 201,
        summary: 'Create a subscription; the response holds its whsec_ secret (v1a: its whpk_ public key)',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(createSubscriptionInput)
    .output(subscriptionWithSecretOutput)
    .mutation(({ ctx, input }) => createSubscription(ctx.ctx, ctx.scope, input)),
  list: authedProcedure
    .meta({
      rest: { method: 'GET', path: '/subscriptions', summary: 'List subscriptions', tag: 'subscriptions', auth: 'any' },
    })
    .input(listSubscriptionsInput)
    .output(subscriptionPageOutput)
    .query(({ ctx, input }) => listSubscriptions(ctx.ctx, ctx.scope, input)),
  get: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/subscriptions/{id}',
        summary: 'One subscription',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(byId)
    .output(subscriptionOutput)
    .query(({ ctx, input }) => getSubscription(ctx.ctx, ctx.scope, input.id)),
  update: authedProcedure
    .meta({
      rest: {
        method: 'PATCH',
        path: '/subscriptions/{id}',
        summary: 'Update a subscription (pausing holds its deliveries; resuming releases or discards them)',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(updateSubscriptionInput.extend(byId.shape))
    .output(subscriptionOutput)
    .mutation(({ ctx, input: { id, ...rest } }) => updateSubscription(ctx.ctx, ctx.scope, id, rest)),
  delete: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/subscriptions/{id}',
        summary: 'Delete a subscription and its delivery history',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(byId)
    .output(deletedOutput)
    .mutation(({ ctx, input }) => deleteSubscription(ctx.ctx, ctx.scope, input.id)),
  rotateSecret: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/subscriptions/{id}/rotate-secret',
        summary: 'Rotate the signing secret (the old one keeps signing for 24 h)',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(byId)
    .output(subscriptionWithSecretOutput)
    .mutation(({ ctx, input }) => rotateSecret(ctx.ctx, ctx.scope, input.id)),
  secret: authedProcedure
    .meta({
      // Revealing the signing secret is a change of who can sign: `manage`, though it is a read.
      keyScope: 'manage',
      rest: {
        method: 'GET',
        path: '/subscriptions/{id}/secret',
        summary: 'Reveal the current signing secret (v1a: the public key)',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(byId)
    .output(secretOutput)
    .query(({ ctx, input }) => getSubscriptionSecret(ctx.ctx, ctx.scope, input.id)),
  test: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/subscriptions/{id}/test',
        status: 202,
        summary: 'Send a hookrelay.test event to this subscription',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(byId)
    .output(testEventOutput)
    .mutation(({ ctx, input }) => sendTestEvent(ctx.ctx, ctx.scope, input.id)),
  testFilter: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/subscriptions/test-filter',
        summary:
          "Dry run: which of the customer's latest 100 events these patterns and this filter would deliver, and why",
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(testFilterInput)
    .output(testFilterOutput)
    .mutation(({ ctx, input }) => testFilter(ctx.ctx, ctx.scope, input)),
  testTransform: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/subscriptions/test-transform',
        summary:
          "Dry run of a transformation on one of the customer's events (the given one, or its most recent): the webhook before and after, or the error an attempt would record; nothing is sent",
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(testTransformInput)
    .output(testTransformOutput)
    .mutation(({ ctx, input }) => testTransform(ctx.ctx, ctx.scope, input)),
  retryNow: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/subscriptions/{id}/retry-now',
        summary: 'Circuit breaker open: send its probe now instead of after the cool-down',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(byId)
    .output(subscriptionOutput)
    .mutation(({ ctx, input }) => probeNow(ctx.ctx, ctx.scope, input.id)),
  backfill: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/subscriptions/{id}/backfill',
        status: 202,
        summary:
          'Send past events: every retained event in the range that this subscription matches today and never received (one paced job; progress and cancel at /replays/{id})',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(backfillInput)
    .output(backfillOutput)
    .mutation(({ ctx, input: { id, ...range } }) => startBackfill(ctx.ctx, ctx.scope, id, range)),
  backfillPreview: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/subscriptions/{id}/backfill/preview',
        summary: 'How many events a backfill of this range would send now (examines at most 100,000)',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(backfillPreviewInput)
    .output(backfillPreviewOutput)
    .query(({ ctx, input: { id, ...range } }) => previewBackfill(ctx.ctx, ctx.scope, id, range)),
  backfills: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/subscriptions/{id}/backfills',
        summary: "This subscription's backfills with progress, newest first",
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(listBackfillsInput)
    .output(replayPageOutput)
    .query(({ ctx, input: { id, ...pageInput } }) => listBackfills(ctx.ctx, ctx.scope, id, pageInput)),
  lanes: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/subscriptions/{id}/lanes',
        summary:
          "This subscription's blocked ordering lanes (head failing, or a dead letter holding a strict lane), by key",
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(listLanesInput)
    .output(lanePageOutput)
    .query(({ ctx, input: { id, ...pageInput } }) => listBlockedLanes(ctx.ctx, ctx.scope, id, pageInput)),
  skipLaneHead: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/subscriptions/{id}/lanes/skip',
        summary:
          'Move a blocked ordering lane on past its head (a failing head becomes a dead letter; a strict lane stops waiting for its dead letter)',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(skipLaneInput)
    .output(laneSkipOutput)
    .mutation(({ ctx, input }) => skipLaneHead(ctx.ctx, ctx.scope, input.id, input.orderingKey)),
  stats: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/subscriptions/{id}/stats',
        summary: 'Per-minute queue depth, dispatched, succeeded, failed, latency p50/p99',
        tag: 'subscriptions',
        auth: 'any',
      },
    })
    .input(byId.extend({ minutes: z.coerce.number().int().min(1).max(1440).default(60) }))
    .output(subscriptionStatsOutput)
    .query(({ ctx, input }) => subscriptionStats(ctx.ctx, ctx.scope, input.id, input.minutes)),
});
