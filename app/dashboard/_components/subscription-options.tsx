'use client';

import { useSubscriptions } from './use-subscription-urls';

/** The options of a subscription filter: "All subscriptions", then each endpoint. */
export function SubscriptionOptions() {
  const subs = useSubscriptions();
  return (
    <>
      <option value="">All subscriptions</option>
      {subs.data?.data.map((s) => (
        <option key={s.id} value={s.id}>
          {s.url}
        </option>
      ))}
    </>
  );
}
