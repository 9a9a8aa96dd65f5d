import type { EndpointAuthenticationInput } from '@/server/domain/delivery/inputs';
import type { SignatureScheme } from '@/drizzle/schema/values';
import type { Filter } from '@/server/domain/filters';
import type { AuthInfo } from './endpoint-auth-fields';

/** A subscription as the form gives it to its caller (checked), and as an edit starts from. */
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

/** The fields an error can be shown under (each control's id is `sub-` and its name). */
export type FieldName =
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

/** The fields in the form's order: the first with an error takes the focus. */
export const fieldNames: readonly FieldName[] = [
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

export type FormErrors = Partial<Record<FieldName, string>>;
