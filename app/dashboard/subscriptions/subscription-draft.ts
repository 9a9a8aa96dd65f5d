import { createSubscriptionInput } from '@/server/domain/subscriptions/inputs';
import type { SignatureScheme } from '@/drizzle/schema/values';
import { initialAuthDraft, type AuthDraft } from './endpoint-auth-fields';
import { filterText, headersText } from './filter-and-headers';
import type { FieldName, FormErrors, SubscriptionValues } from './subscription-values';

/** The subscription form as typed: text until it is submitted and checked. */
export type SubscriptionDraft = {
  url: string;
  /** Patterns, one a line (or between commas). */
  patterns: string;
  /** Channel names, between commas or spaces. */
  channels: string;
  description: string;
  rate: string;
  /** The payload filter as JSON. */
  filter: string;
  /** Custom headers, one `Name: value` a line. */
  headers: string;
  scheme: SignatureScheme;
  autoDisableHours: string;
  autoDisableNever: boolean;
  traceContext: boolean;
  strictOrdering: boolean;
  auth: AuthDraft;
  transform: string;
};

/** A new subscription's empty form, or a saved one's values as text. */
export function initialDraft(initial: SubscriptionValues | undefined): SubscriptionDraft {
  return {
    url: initial?.url ?? '',
    patterns: initial?.eventTypes.join('\n') ?? '',
    channels: initial?.channels.join(', ') ?? '',
    description: initial?.description ?? '',
    rate: initial?.rateLimitPerSecond?.toString() ?? '',
    filter: filterText(initial?.filter),
    headers: headersText(initial?.headers),
    scheme: initial?.signatureScheme ?? 'v1',
    autoDisableHours: initial?.autoDisableAfterHours?.toString() ?? '',
    autoDisableNever: initial?.autoDisableAfterHours === null,
    traceContext: initial?.traceContext ?? false,
    strictOrdering: initial?.ordering === 'strict',
    auth: initialAuthDraft(initial?.authInfo),
    transform: initial?.transform ?? '',
  };
}

/** What each section of the form gets: the draft, a change to some of its fields, the errors, and a way to drop one. */
export type DraftSection = {
  draft: SubscriptionDraft;
  set: (patch: Partial<SubscriptionDraft>) => void;
  errors: FormErrors;
  clearError: (field: FieldName) => void;
};

/** One pattern per line or between commas; a space inside a pattern is kept, so the check reports it. */
export const splitPatterns = (text: string) =>
  text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** What the API would take as `eventTypes`: at least one pattern, each well-formed. */
export const arePatternsValid = (patterns: string[]) =>
  patterns.length > 0 && createSubscriptionInput.shape.eventTypes.safeParse(patterns).success;
/** Channel names between commas or spaces. */
export const splitChannels = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
