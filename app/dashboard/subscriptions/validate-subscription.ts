import { createSubscriptionInput, transformSource } from '@/server/domain/subscriptions/inputs';
import { type EndpointAuthenticationInput } from '@/server/domain/delivery/inputs';
import type { SignatureScheme } from '@/drizzle/schema/values';
import { fieldErrors } from '../../_components/errors';
import { authProblem } from './endpoint-auth-fields';
import { parseFilter, parseHeaders } from './filter-and-headers';
import { fieldNames, type FieldName, type FormErrors, type SubscriptionValues } from './subscription-values';

const autoDisableProblem = 'Enter a number of hours above 0 and at most 8,760 (a year), or choose never.';

/**
 * The auto-disable field as the API takes it: null (never), hours, or undefined (not sent). On
 * create, empty means the deployment's default. On edit the field starts at the saved value, and only
 * a change is sent: sending the same hours again would pin a default the operator may later change.
 */
export function autoDisableValue(
  text: string,
  never: boolean,
  initial: number | null | undefined,
  editing: boolean,
): { value?: number | null; error?: string } {
  if (never) return { value: editing && initial === null ? undefined : null };
  const t = text.trim();
  if (!t) return editing ? { error: autoDisableProblem } : {};
  const hours = Number(t);
  if (!createSubscriptionInput.shape.autoDisableAfterHours.safeParse(hours).success)
    return { error: autoDisableProblem };
  return { value: editing && hours === initial ? undefined : hours };
}

/**
 * Checks the form with the API's own input schema (server/domain/subscriptions/inputs.ts), so the form and the
 * API cannot disagree; the URL's syntax is checked here too (the server also refuses private targets).
 */
export function validate(
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
  errors: FormErrors;
  parsed?: SubscriptionValues;
} {
  const errors: FormErrors = {};
  const url = values.url.trim();
  if (!url) errors.url = 'Enter the URL of your endpoint.';
  else {
    try {
      const u = new URL(url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:')
        errors.url = 'The URL must start with https:// (or http://).';
    } catch {
      errors.url = 'Enter a full URL, e.g. https://example.com/webhooks.';
    }
  }
  const rate = values.rate.trim() === '' ? null : Number(values.rate);
  if (rate !== null && Number.isNaN(rate))
    errors.rateLimitPerSecond = 'Enter a number of requests per second, or leave it empty for no limit.';
  if (values.patterns.length === 0)
    errors.eventTypes = 'Add at least one event type pattern, e.g. order.created or order.*';
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
      if (field === 'eventTypes' && typeof issue.path[1] === 'number')
        patternProblems.push(issue.message.replace(/^pattern /, 'Pattern '));
      else if (field === 'eventTypes') errors.eventTypes ??= issue.message;
      else if (field === 'rateLimitPerSecond')
        errors.rateLimitPerSecond ??= 'Enter a rate above 0 and at most 10,000 per second.';
      else if (field === 'description') errors.description ??= 'Keep the description under 500 characters.';
      else if (field === 'url') errors.url ??= issue.message;
      else if (field === 'channels') {
        // A problem with one name says which (the duplicate message names it already).
        const name = typeof issue.path[1] === 'number' ? values.channels[issue.path[1]] : undefined;
        errors.channels ??=
          name !== undefined && !issue.message.includes(`"${name}"`) ? `"${name}": ${issue.message}` : issue.message;
      }
      errors.channels ??=
        typeof issue.path[1] === 'number' ? `"${values.channels[issue.path[1]]}": ${issue.message}` : issue.message;
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
  if (transformCheck && !transformCheck.success)
    errors.transform = transformCheck.error.issues[0]?.message ?? 'Check the transformation.';
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

/**
 * Every problem the API found, under its field, one line each (a filter's or a header's error names
 * its place inside the field: `filter.data.amount`); the others (`other`) go above the buttons.
 */
export function apiProblems(err: unknown): { found: FormErrors; other: string[] } {
  const found: FormErrors = {};
  const other: string[] = [];
  for (const fe of fieldErrors(err)) {
    const field = fieldNames.find((f) => fe.field === f || fe.field.startsWith(`${f}.`));
    if (field) {
      const inner = fe.field.slice(field.length + 1);
      const message =
        field === 'auth'
          ? authProblem(inner, fe.message)
          : inner && (field === 'filter' || field === 'headers')
            ? `${inner}: ${fe.message}`
            : fe.message;
      found[field] = found[field] ? `${found[field]}\n${message}` : message;
    } else other.push(`${fe.field}: ${fe.message}`);
  }
  return { found, other };
}
