'use client';

import { createSubscriptionInput } from '@/server/domain/subscriptions/inputs';
import { FormField, Input, Textarea } from '../../_components/form';
import { CatalogSuggestions } from './catalog-suggestions';
import { parseFilter } from './filter-and-headers';
import { FilterDryRun } from './filter-dry-run';
import { PatternHelp } from './pattern-help';
import { arePatternsValid, splitChannels, splitPatterns, type DraftSection } from './subscription-draft';

/**
 * Where events go and which: the endpoint's URL, the event type patterns, the payload filter and
 * the channels, then a dry run of them on recent events. An error under the patterns or the filter
 * goes as soon as what is typed is valid, not at the next submit.
 */
export function RoutingFields({ draft, set, errors, clearError }: DraftSection) {
  const patterns = splitPatterns(draft.patterns);
  const channels = splitChannels(draft.channels);
  const channelsValid = createSubscriptionInput.shape.channels.safeParse(channels).success;
  const liveFilter = parseFilter(draft.filter);
  const patternsValid = arePatternsValid(patterns);
  function editPatterns(text: string) {
    set({ patterns: text });
    if (arePatternsValid(splitPatterns(text))) clearError('eventTypes');
  }
  function editFilter(text: string) {
    set({ filter: text });
    if (!parseFilter(text).error) clearError('filter');
  }
  return (
    <>
      <FormField id="sub-url" label="Endpoint URL" error={errors.url} hint="Hookrelay POSTs signed JSON to this URL.">
        {(control) => (
          <Input
            {...control}
            name="url"
            type="url"
            inputMode="url"
            autoComplete="off"
            placeholder="https://example.com/webhooks"
            value={draft.url}
            onChange={(e) => set({ url: e.target.value })}
            className="font-mono"
          />
        )}
      </FormField>
      <FormField id="sub-eventTypes" label="Event types" error={errors.eventTypes}>
        {(control) => (
          <>
            <Textarea
              {...control}
              name="eventTypes"
              rows={3}
              placeholder={'order.created\ninvoice.*'}
              value={draft.patterns}
              onChange={(e) => editPatterns(e.target.value)}
              className="font-mono"
              spellCheck={false}
            />
            <CatalogSuggestions
              patterns={patterns}
              onAdd={(p) => editPatterns(draft.patterns.trim() ? `${draft.patterns.trimEnd()}\n${p}` : p)}
            />
            <PatternHelp patterns={patterns} />
          </>
        )}
      </FormField>
      <FormField
        id="sub-filter"
        label="Filter"
        optional
        error={errors.filter ?? liveFilter.error}
        hint={
          <>
            A JSON condition on the delivered body, e.g. <code>{'{"data.amount": {"$gte": 1000}}'}</code>. Operators:
            $eq $ne $gt $gte $lt $lte $in $nin $exists $startsWith $endsWith $contains, and $and $or $not. Empty: every
            event of a matching type.
          </>
        }
      >
        {(control) => (
          <Textarea
            {...control}
            name="filter"
            rows={3}
            placeholder={'{"data.amount": {"$gte": 1000}}'}
            value={draft.filter}
            onChange={(e) => editFilter(e.target.value)}
            className="font-mono"
            spellCheck={false}
          />
        )}
      </FormField>
      <FormField
        id="sub-channels"
        label="Channels"
        optional
        error={errors.channels}
        hint="Only events published in at least one of these channels, separated by commas (e.g. eu-west, orders). Empty: every event, whatever its channels."
      >
        {(control) => (
          <Input
            {...control}
            name="channels"
            value={draft.channels}
            onChange={(e) => set({ channels: e.target.value })}
            placeholder="eu-west, orders"
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
          />
        )}
      </FormField>
      <FilterDryRun
        patterns={patterns}
        channels={channels}
        filter={liveFilter.value}
        ready={patternsValid && channelsValid && !liveFilter.error}
      />
    </>
  );
}
