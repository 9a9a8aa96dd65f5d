'use client';

import { useState, type FormEvent } from 'react';
import { createSubscriptionInput, transformSource } from '@/server/domain/subscriptions/inputs';
import { type EndpointAuthenticationInput } from '@/server/domain/delivery/inputs';
import { signatureSchemes, type SignatureScheme } from '@/drizzle/schema/values';
import { firstMatch, validateEventType, validatePattern } from '@/server/domain/patterns';
import { Button } from '../../_components/button';
import { describeError, fieldErrors } from '../../_components/errors';
import { CheckboxField, describedBy, Field, Input, Select, Textarea } from '../../_components/form';
import { IconSpinner } from '../../_components/icons';
import type { Filter } from '@/server/domain/filters';
import { CatalogSuggestions } from './catalog-suggestions';
import { filterText, headersText, parseFilter, parseHeaders, REDACTED } from './filter-and-headers';
import { FilterDryRun } from './filter-dry-run';
import { authenticationValue, authProblem, EndpointAuthFields, initialAuthDraft, type AuthInfo } from './endpoint-auth-fields';
import { TRANSFORM_TEMPLATE, TransformPreview } from './transform-preview';

export type SubscriptionValues = {
  url: string;
  eventTypes: string[];
  /** Only events in at least one of these channels; empty: every event. */
  channels: string[];
  description: string | null;
  rateLimitPerSecond: number | null;
  filter: Filter | null;
  /** Custom headers; a value of "[redacted]" keeps the stored value (edits of a saved subscription). */
  headers: Record<string, string> | null;
  /** Chosen at creation only: the API cannot change it (rotating keeps the scheme). */
  signatureScheme: SignatureScheme;
  /**
   * Hours of failing attempts before Hookrelay disables the subscription; null: never. Undefined:
   * on create, the deployment's AUTO_DISABLE_AFTER_HOURS; on edit, unchanged (not sent).
   */
  autoDisableAfterHours?: number | null;
  /** Attempts carry the W3C `traceparent` header. */
  traceContext: boolean;
  /** Ordering lanes: a dead letter holds its lane (`strict`) or the lane moves on (`lenient`). */
  ordering: 'lenient' | 'strict';
  /** The saved endpoint authentication, as reads show it (editing: what the form starts from). */
  authInfo?: AuthInfo;
  /** What to send as `auth`: undefined leaves it as it is, null removes it. */
  auth?: EndpointAuthenticationInput | null;
  /** The transformation's source; null: none (on edit, null removes it). */
  transform: string | null;
};
type FieldName =
  | 'url'
  | 'eventTypes'
  | 'channels'
  | 'description'
  | 'rateLimitPerSecond'
  | 'filter'
  | 'headers'
  | 'transform'
  | 'signatureScheme'
  | 'autoDisableAfterHours'
  | 'auth';
const fieldNames: readonly FieldName[] = [
  'url',
  'eventTypes',
  'channels',
  'filter',
  'description',
  'rateLimitPerSecond',
  'autoDisableAfterHours',
  'signatureScheme',
  'headers',
  'auth',
  'transform',
];
type Errors = Partial<Record<FieldName, string>>;

/** One pattern per line or between commas; a space inside a pattern is kept, so the check reports it. */
const splitPatterns = (text: string) =>
  text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** What the API would take as `eventTypes`: at least one pattern, each well-formed. */
const arePatternsValid = (patterns: string[]) => patterns.length > 0 && createSubscriptionInput.shape.eventTypes.safeParse(patterns).success;
/** Channel names between commas or spaces. */
const splitChannels = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

const autoDisableProblem = 'Enter a number of hours above 0 and at most 8,760 (a year), or choose never.';

/**
 * The auto-disable field as the API takes it: null (never), hours, or undefined (not sent). On
 * create, empty means the deployment's default. On edit the field starts at the saved value, and only
 * a change is sent: sending the same hours again would pin a default the operator may later change.
 */
function autoDisableValue(text: string, never: boolean, initial: number | null | undefined, editing: boolean): { value?: number | null; error?: string } {
  if (never) return { value: editing && initial === null ? undefined : null };
  const t = text.trim();
  if (!t) return editing ? { error: autoDisableProblem } : {};
  const hours = Number(t);
  if (!createSubscriptionInput.shape.autoDisableAfterHours.safeParse(hours).success) return { error: autoDisableProblem };
  return { value: editing && hours === initial ? undefined : hours };
}

/**
 * Checks the form with the API's own input schema (server/domain/subscriptions/inputs.ts), so the form and the
 * API cannot disagree; the URL's syntax is checked here too (the server also refuses private targets).
 */
function validate(
  values: {
    url: string;
    patterns: string[];
    channels: string[];
    description: string;
    rate: string;
    filter: string;
    headers: string;
    scheme: SignatureScheme;
    traceContext: boolean;
    strictOrdering: boolean;
    transform: string;
  },
  autoDisable: { value?: number | null; error?: string },
  auth: { value?: EndpointAuthenticationInput | null; error?: string },
): {
  errors: Errors;
  parsed?: SubscriptionValues;
} {
  const errors: Errors = {};
  const url = values.url.trim();
  if (!url) errors.url = 'Enter the URL of your endpoint.';
  else {
    try {
      const u = new URL(url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') errors.url = 'The URL must start with https:// (or http://).';
    } catch {
      errors.url = 'Enter a full URL, e.g. https://example.com/webhooks.';
    }
  }
  const rate = values.rate.trim() === '' ? null : Number(values.rate);
  if (rate !== null && Number.isNaN(rate)) errors.rateLimitPerSecond = 'Enter a number of requests per second, or leave it empty for no limit.';
  if (values.patterns.length === 0) errors.eventTypes = 'Add at least one event type pattern, e.g. order.created or order.*';
  const result = createSubscriptionInput.safeParse({
    url: url || 'x',
    eventTypes: values.patterns.length ? values.patterns : ['*'],
    description: values.description || undefined,
    rateLimitPerSecond: rate ?? undefined,
    channels: values.channels,
  });
  if (!result.success) {
    const patternProblems: string[] = [];
    for (const issue of result.error.issues) {
      const field = issue.path[0] as FieldName | undefined;
      if (field === 'eventTypes' && typeof issue.path[1] === 'number') patternProblems.push(issue.message.replace(/^pattern /, 'Pattern '));
      else if (field === 'eventTypes') errors.eventTypes ??= issue.message;
      else if (field === 'rateLimitPerSecond') errors.rateLimitPerSecond ??= 'Enter a rate above 0 and at most 10,000 per second.';
      else if (field === 'description') errors.description ??= 'Keep the description under 500 characters.';
      else if (field === 'url') errors.url ??= issue.message;
      else if (field === 'channels') {
        // A problem with one name says which (the duplicate message names it already).
        const name = typeof issue.path[1] === 'number' ? values.channels[issue.path[1]] : undefined;
        errors.channels ??= name !== undefined && !issue.message.includes(`"${name}"`) ? `"${name}": ${issue.message}` : issue.message;
      }
      errors.channels ??= typeof issue.path[1] === 'number' ? `"${values.channels[issue.path[1]]}": ${issue.message}` : issue.message;
    }
    if (patternProblems.length) errors.eventTypes = patternProblems.join('\n');
  }
  const filter = parseFilter(values.filter);
  if (filter.error) errors.filter = filter.error;
  const headers = parseHeaders(values.headers);
  if (headers.error) errors.headers = headers.error;
  if (autoDisable.error) errors.autoDisableAfterHours = autoDisable.error;
  if (auth.error) errors.auth = auth.error;
  const transform = values.transform.trim() ? values.transform : null;
  // Its size here; whether it compiles and defines transform, the server says (the sandbox is there).
  const transformCheck = transform === null ? null : transformSource.safeParse(transform);
  if (transformCheck && !transformCheck.success) errors.transform = transformCheck.error.issues[0]?.message ?? 'Check the transformation.';
  if (Object.keys(errors).length) return { errors };
  return {
    errors,
    parsed: {
      url,
      eventTypes: values.patterns,
      channels: values.channels,
      description: values.description.trim() || null,
      rateLimitPerSecond: rate,
      filter: filter.value,
      headers: headers.value,
      signatureScheme: values.scheme,
      ...(autoDisable.value !== undefined && { autoDisableAfterHours: autoDisable.value }),
      traceContext: values.traceContext,
      ordering: values.strictOrdering ? 'strict' : 'lenient',
      ...(auth.value !== undefined && { auth: auth.value }),
      transform,
    },
  };
}

function PatternHelp({ patterns }: { patterns: string[] }) {
  const [sample, setSample] = useState('');
  const sampleProblem = sample ? validateEventType(sample) : null;
  // Only valid patterns route events: an invalid one never matches, whatever it looks like.
  const valid = patterns.filter((p) => !validatePattern(p));
  const ignored = patterns.length - valid.length;
  const match = sample && !sampleProblem ? firstMatch(valid, sample) : null;
  const ignoredNote = ignored > 0 ? ` (${ignored} invalid pattern${ignored === 1 ? '' : 's'} ignored)` : '';
  return (
    <div className="mt-2 rounded-md bg-zinc-50 p-3 text-xs text-zinc-600 ring-1 ring-zinc-200 ring-inset dark:bg-zinc-950 dark:text-zinc-400 dark:ring-zinc-800">
      <p className="mb-1.5">Separate patterns with new lines or commas. Types are dot-separated segments.</p>
      <ul className="grid grid-cols-1 gap-x-4 gap-y-0.5 sm:grid-cols-2">
        <li>
          <code className="font-semibold text-zinc-800 dark:text-zinc-200">order.created</code> exactly that type
        </li>
        <li>
          <code className="font-semibold text-zinc-800 dark:text-zinc-200">order.*</code> one segment: order.created, not order.item.added
        </li>
        <li>
          <code className="font-semibold text-zinc-800 dark:text-zinc-200">order.**</code> any depth below order
        </li>
        <li>
          <code className="font-semibold text-zinc-800 dark:text-zinc-200">*</code> every event type
        </li>
      </ul>
      <label className="mt-2.5 flex flex-wrap items-center gap-2">
        <span>Try an event type:</span>
        <input
          value={sample}
          onChange={(e) => setSample(e.target.value)}
          placeholder="order.created"
          className="w-44 rounded border border-zinc-300 bg-white px-2 py-0.5 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900"
          data-testid="pattern-tester"
        />
        <span aria-live="polite" data-testid="pattern-tester-result">
          {!sample ? null : sampleProblem ? (
            <span className="text-amber-700 dark:text-amber-400">not a valid type: {sampleProblem}</span>
          ) : match ? (
            <span className="text-emerald-700 dark:text-emerald-400">
              ✓ delivered (matches {match}){ignoredNote}
            </span>
          ) : (
            <span className="text-zinc-600 dark:text-zinc-400">
              ✕ not delivered: no {ignored > 0 ? 'valid ' : ''}pattern matches{ignoredNote}
            </span>
          )}
        </span>
      </label>
    </div>
  );
}

/** Create or edit a subscription. Errors show under their field, from this check or from the API. */
export function SubscriptionForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial?: SubscriptionValues;
  submitLabel: string;
  onSubmit: (v: SubscriptionValues) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [url, setUrl] = useState(initial?.url ?? '');
  const [patternsText, setPatternsText] = useState(initial?.eventTypes.join('\n') ?? '');
  const [channelsText, setChannelsText] = useState(initial?.channels.join(', ') ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [rate, setRate] = useState(initial?.rateLimitPerSecond?.toString() ?? '');
  const [filterInput, setFilterInput] = useState(filterText(initial?.filter));
  const [headersInput, setHeadersInput] = useState(headersText(initial?.headers));
  const [scheme, setScheme] = useState<SignatureScheme>(initial?.signatureScheme ?? 'v1');
  const [autoDisableHours, setAutoDisableHours] = useState(initial?.autoDisableAfterHours?.toString() ?? '');
  const [autoDisableNever, setAutoDisableNever] = useState(initial?.autoDisableAfterHours === null);
  const editing = initial !== undefined;
  const [traceContext, setTraceContext] = useState(initial?.traceContext ?? false);
  const [strictOrdering, setStrictOrdering] = useState(initial?.ordering === 'strict');
  const [authDraft, setAuthDraft] = useState(() => initialAuthDraft(initial?.authInfo));
  const [transformInput, setTransformInput] = useState(initial?.transform ?? '');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const patterns = splitPatterns(patternsText);
  const channels = splitChannels(channelsText);
  const channelsValid = createSubscriptionInput.shape.channels.safeParse(channels).success;
  const liveFilter = parseFilter(filterInput);
  const patternsValid = arePatternsValid(patterns);

  // An error under a field goes as soon as what is typed is valid, not at the next submit.
  function editPatterns(text: string) {
    setPatternsText(text);
    if (arePatternsValid(splitPatterns(text))) setErrors(({ eventTypes: _, ...rest }) => rest);
  }
  function editFilter(text: string) {
    setFilterInput(text);
    if (!parseFilter(text).error) setErrors(({ filter: _, ...rest }) => rest);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const { errors: found, parsed } = validate(
      {
        url,
        patterns,
        channels,
        description,
        rate,
        filter: filterInput,
        headers: headersInput,
        scheme,
        traceContext,
        strictOrdering,
        transform: transformInput,
      },
      autoDisableValue(autoDisableHours, autoDisableNever, initial?.autoDisableAfterHours, editing),
      authenticationValue(authDraft, initial?.authInfo),
    );
    setErrors(found);
    if (!parsed) {
      const first = fieldNames.find((f) => found[f]);
      if (first) document.getElementById(`sub-${first}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      await onSubmit(parsed);
    } catch (err) {
      // Every problem the API found goes under its field, one line each (a filter's or a header's
      // error names its place inside the field: `filter.data.amount`); others above the buttons.
      const found: Errors = {};
      const other: string[] = [];
      for (const fe of fieldErrors(err)) {
        const field = fieldNames.find((f) => fe.field === f || fe.field.startsWith(`${f}.`));
        if (field) {
          const inner = fe.field.slice(field.length + 1);
          const message =
            field === 'auth' ? authProblem(inner, fe.message) : inner && (field === 'filter' || field === 'headers') ? `${inner}: ${fe.message}` : fe.message;
          found[field] = found[field] ? `${found[field]}\n${message}` : message;
        } else other.push(`${fe.field}: ${fe.message}`);
      }
      setErrors(found);
      if (other.length || !Object.keys(found).length) setFormError(other.length ? other.join('\n') : describeError(err));
      const firstField = fieldNames.find((f) => found[f]);
      if (firstField) document.getElementById(`sub-${firstField}`)?.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
      <Field id="sub-url" label="Endpoint URL" error={errors.url} hint="Hookrelay POSTs signed JSON to this URL.">
        <Input
          id="sub-url"
          name="url"
          type="url"
          inputMode="url"
          autoComplete="off"
          placeholder="https://example.com/webhooks"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          aria-invalid={!!errors.url}
          aria-describedby={describedBy('sub-url', errors.url, true)}
          className="font-mono"
        />
      </Field>
      <Field id="sub-eventTypes" label="Event types" error={errors.eventTypes}>
        <Textarea
          id="sub-eventTypes"
          name="eventTypes"
          rows={3}
          placeholder={'order.created\ninvoice.*'}
          value={patternsText}
          onChange={(e) => editPatterns(e.target.value)}
          aria-invalid={!!errors.eventTypes}
          aria-describedby={describedBy('sub-eventTypes', errors.eventTypes, false)}
          className="font-mono"
          spellCheck={false}
        />
        <CatalogSuggestions patterns={patterns} onAdd={(p) => editPatterns(patternsText.trim() ? `${patternsText.trimEnd()}\n${p}` : p)} />
        <PatternHelp patterns={patterns} />
      </Field>
      <Field
        id="sub-filter"
        label="Filter"
        optional
        error={errors.filter ?? liveFilter.error}
        hint={
          <>
            A JSON condition on the delivered body, e.g. <code>{'{"data.amount": {"$gte": 1000}}'}</code>. Operators: $eq $ne $gt $gte $lt $lte $in $nin $exists
            $startsWith $endsWith $contains, and $and $or $not. Empty: every event of a matching type.
          </>
        }
      >
        <Textarea
          id="sub-filter"
          name="filter"
          rows={3}
          placeholder={'{"data.amount": {"$gte": 1000}}'}
          value={filterInput}
          onChange={(e) => editFilter(e.target.value)}
          aria-invalid={!!(errors.filter ?? liveFilter.error)}
          aria-describedby={describedBy('sub-filter', errors.filter ?? liveFilter.error, true)}
          className="font-mono"
          spellCheck={false}
        />
      </Field>
      <Field
        id="sub-channels"
        label="Channels"
        optional
        error={errors.channels}
        hint="Only events published in at least one of these channels, separated by commas (e.g. eu-west, orders). Empty: every event, whatever its channels."
      >
        <Input
          id="sub-channels"
          name="channels"
          value={channelsText}
          onChange={(e) => setChannelsText(e.target.value)}
          placeholder="eu-west, orders"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={!!errors.channels}
          aria-describedby={describedBy('sub-channels', errors.channels, true)}
          className="font-mono"
        />
      </Field>
      <FilterDryRun patterns={patterns} channels={channels} filter={liveFilter.value} ready={patternsValid && channelsValid && !liveFilter.error} />
      <Field id="sub-description" label="Description" optional error={errors.description}>
        <Input
          id="sub-description"
          name="description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          placeholder="Production order sync"
          aria-invalid={!!errors.description}
        />
      </Field>
      <Field
        id="sub-rateLimitPerSecond"
        label="Rate limit"
        optional
        error={errors.rateLimitPerSecond}
        hint="Most requests per second to this endpoint. Empty: no limit."
      >
        <Input
          id="sub-rateLimitPerSecond"
          name="rateLimitPerSecond"
          inputMode="decimal"
          value={rate}
          onChange={(e) => setRate(e.target.value)}
          placeholder="e.g. 50"
          aria-invalid={!!errors.rateLimitPerSecond}
          aria-describedby={describedBy('sub-rateLimitPerSecond', errors.rateLimitPerSecond, true)}
          className="w-40"
        />
      </Field>
      <Field
        id="sub-autoDisableAfterHours"
        label="Auto-disable after"
        optional={!editing}
        error={errors.autoDisableAfterHours}
        hint={
          editing
            ? 'Hookrelay disables the subscription, holding its deliveries, once every attempt has failed for this many hours.'
            : "Hookrelay disables the subscription, holding its deliveries, once every attempt has failed for this many hours. Empty: the service's default (AUTO_DISABLE_AFTER_HOURS, 120 hours unless your operator set another)."
        }
      >
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
          <span className="flex items-center gap-2">
            <Input
              id="sub-autoDisableAfterHours"
              name="autoDisableAfterHours"
              inputMode="decimal"
              value={autoDisableNever ? '' : autoDisableHours}
              onChange={(e) => setAutoDisableHours(e.target.value)}
              disabled={autoDisableNever}
              placeholder={editing ? undefined : 'e.g. 48'}
              aria-invalid={!!errors.autoDisableAfterHours}
              aria-describedby={describedBy('sub-autoDisableAfterHours', errors.autoDisableAfterHours, true)}
              className="w-28"
            />
            <span className="text-sm text-zinc-600 dark:text-zinc-400">hours</span>
          </span>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              name="autoDisableNever"
              checked={autoDisableNever}
              onChange={(e) => setAutoDisableNever(e.target.checked)}
              className="size-4 rounded border-zinc-300 accent-indigo-600 dark:border-zinc-700"
            />
            Never disable it
          </label>
        </div>
      </Field>
      {editing ? null : (
        <Field
          id="sub-signatureScheme"
          label="Signature scheme"
          error={errors.signatureScheme}
          hint={
            scheme === 'v1a'
              ? 'Ed25519: receivers verify with a public key (whpk_…) that may be shared freely; the signing key never leaves Hookrelay. Cannot be changed later.'
              : 'HMAC-SHA256 with a shared secret (whsec_…) that you and your receiver keep private. Most Standard Webhooks libraries verify it. Cannot be changed later.'
          }
        >
          <Select
            id="sub-signatureScheme"
            name="signatureScheme"
            value={scheme}
            onChange={(e) => setScheme(signatureSchemes.find((s) => s === e.target.value) ?? 'v1')}
            aria-invalid={!!errors.signatureScheme}
            aria-describedby={describedBy('sub-signatureScheme', errors.signatureScheme, true)}
            className="sm:w-96"
          >
            <option value="v1">v1: HMAC-SHA256, shared secret (default)</option>
            <option value="v1a">v1a: Ed25519, public key</option>
          </Select>
        </Field>
      )}
      <Field
        id="sub-headers"
        label="Custom headers"
        optional
        error={errors.headers}
        hint={
          initial?.headers && Object.keys(initial.headers).length
            ? `One "Name: value" a line, sent with every delivery. Values are secrets and never shown again: keep ${REDACTED} to keep a value, or type a new one.`
            : 'One "Name: value" a line, sent with every delivery (e.g. Authorization: Bearer …). Values are secrets: they are never shown again.'
        }
      >
        <Textarea
          id="sub-headers"
          name="headers"
          rows={2}
          placeholder="Authorization: Bearer …"
          value={headersInput}
          onChange={(e) => setHeadersInput(e.target.value)}
          aria-invalid={!!errors.headers}
          aria-describedby={describedBy('sub-headers', errors.headers, true)}
          className="font-mono"
          spellCheck={false}
          autoComplete="off"
        />
      </Field>
      <Field
        id="sub-transform"
        label="Transformation"
        optional
        error={errors.transform}
        hint={
          <>
            JavaScript <code>transform(webhook)</code> run before each delivery is signed, to reshape it for your endpoint: it gets{' '}
            <code>{'{url, headers, payload, eventType}'}</code> and returns <code>{'{body?, headers?, url?, cancel?}'}</code> (<code>cancel: true</code> sends
            nothing). No network or files, 50 ms of CPU. Empty: events are sent as published.{' '}
            {!transformInput.trim() && (
              <button
                type="button"
                onClick={() => setTransformInput(TRANSFORM_TEMPLATE)}
                className="font-medium text-indigo-600 underline underline-offset-2 hover:no-underline dark:text-indigo-400"
              >
                Start from an example
              </button>
            )}
          </>
        }
      >
        <Textarea
          id="sub-transform"
          name="transform"
          rows={transformInput.trim() ? 8 : 3}
          placeholder="function transform(webhook) { return { body: webhook.payload.data }; }"
          value={transformInput}
          onChange={(e) => {
            setTransformInput(e.target.value);
            setErrors(({ transform: _, ...rest }) => rest);
          }}
          aria-invalid={!!errors.transform}
          aria-describedby={describedBy('sub-transform', errors.transform, true)}
          className="font-mono text-xs"
          spellCheck={false}
          autoComplete="off"
        />
        <TransformPreview source={transformInput} disabled={!transformInput.trim()} />
      </Field>
      <EndpointAuthFields
        draft={authDraft}
        onChange={(d) => {
          setAuthDraft(d);
          setErrors(({ auth: _, ...rest }) => rest);
        }}
        initial={initial?.authInfo}
        error={errors.auth}
        onFileError={(message) => setErrors((e) => ({ ...e, auth: message }))}
      />
      <CheckboxField
        id="sub-traceContext"
        name="traceContext"
        label="Send trace context"
        checked={traceContext}
        onChange={setTraceContext}
        hint={
          <>
            Adds the W3C <code>traceparent</code> header to every delivery, so your endpoint&apos;s tracing can join the event&apos;s trace.
          </>
        }
      />
      <CheckboxField
        id="sub-ordering"
        name="ordering"
        label="Strict ordering lanes"
        checked={strictOrdering}
        onChange={setStrictOrdering}
        hint={
          <>
            Events published with the same <code>orderingKey</code> always arrive one at a time, in order. Checked: a dead letter holds its lane until you
            replay or skip it. Unchecked: the lane moves on past it.
          </>
        }
      />
      {formError && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm whitespace-pre-line text-red-700 dark:bg-red-950/50 dark:text-red-300">
          {formError}
        </p>
      )}
      <div className="flex justify-end gap-2 pt-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy}>
          {busy && <IconSpinner className="size-3.5 animate-spin" />}
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}
