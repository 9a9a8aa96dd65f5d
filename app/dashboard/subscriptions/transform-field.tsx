'use client';

import { FormField, Textarea } from '../../_components/form';
import type { DraftSection } from './subscription-draft';
import { TRANSFORM_TEMPLATE, TransformPreview } from './transform-preview';

/** The transformation's source, with an example to start from and a preview of what it makes of a sample event. */
export function TransformField({ draft, set, errors, clearError }: DraftSection) {
  return (
    <FormField
      id="sub-transform"
      label="Transformation"
      optional
      error={errors.transform}
      hint={
        <>
          JavaScript <code>transform(webhook)</code> run before each delivery is signed, to reshape it for your
          endpoint: it gets <code>{'{url, headers, payload, eventType}'}</code> and returns{' '}
          <code>{'{body?, headers?, url?, cancel?}'}</code> (<code>cancel: true</code> sends nothing). No network or
          files, 50 ms of CPU. Empty: events are sent as published.{' '}
          {!draft.transform.trim() && (
            <button
              type="button"
              onClick={() => set({ transform: TRANSFORM_TEMPLATE })}
              className="font-medium text-indigo-600 underline underline-offset-2 hover:no-underline dark:text-indigo-400"
            >
              Start from an example
            </button>
          )}
        </>
      }
    >
      {(control) => (
        <>
          <Textarea
            {...control}
            name="transform"
            rows={draft.transform.trim() ? 8 : 3}
            placeholder="function transform(webhook) { return { body: webhook.payload.data }; }"
            value={draft.transform}
            onChange={(e) => {
              set({ transform: e.target.value });
              clearError('transform');
            }}
            className="font-mono text-xs"
            spellCheck={false}
            autoComplete="off"
          />
          <TransformPreview source={draft.transform} disabled={!draft.transform.trim()} />
        </>
      )}
    </FormField>
  );
}
