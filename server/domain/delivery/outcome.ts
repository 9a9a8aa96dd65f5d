import type { DeliverTask, Loaded } from './attempt-loader';
import type { SendResult } from './http-sender';
import type { Decision } from './retry-policy';
import type { AttemptRequest } from './transform';

/**
 * A finished HTTP attempt, waiting to be recorded. `transformed`: set when the subscription has a
 * transform (transform.ts): the URL the attempt went to, and the body it sent when not the event's.
 */
export type Outcome = {
  job: DeliverTask;
  row: Loaded;
  startedAt: Date;
  headers: Record<string, string>;
  result: SendResult;
  decision: Decision;
  transformed?: AttemptRequest['transformed'];
};
