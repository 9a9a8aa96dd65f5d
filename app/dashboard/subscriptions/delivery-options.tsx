'use client';

import { CheckboxField } from '../../_components/form';
import type { DraftSection } from './subscription-draft';

/** The two options of each delivery: trace context, and whether a dead letter holds its ordering lane. */
const options = [
  {
    key: 'traceContext',
    id: 'sub-traceContext',
    name: 'traceContext',
    label: 'Send trace context',
    hint: (
      <>
        Adds the W3C <code>traceparent</code> header to every delivery, so your endpoint&apos;s tracing can join the
        event&apos;s trace.
      </>
    ),
  },
  {
    key: 'strictOrdering',
    id: 'sub-ordering',
    name: 'ordering',
    label: 'Strict ordering lanes',
    hint: (
      <>
        Events published with the same <code>orderingKey</code> always arrive one at a time, in order. Checked: a dead
        letter holds its lane until you replay or skip it. Unchecked: the lane moves on past it.
      </>
    ),
  },
] as const;

export function DeliveryOptions({ draft, set }: Pick<DraftSection, 'draft' | 'set'>) {
  return options.map(({ key, ...option }) => (
    <CheckboxField key={key} {...option} checked={draft[key]} onChange={(on) => set({ [key]: on })} />
  ));
}
