'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '../../_components/button';
import { CodeBlock, HeaderTable, prettyJson } from '../../_components/code';
import { describeError } from '../../_components/errors';
import { IconSpinner } from '../../_components/icons';
import { useTRPC } from '../../_components/trpc';

/** A new transformation's starting point: the shape of what it gets and returns. */
export const TRANSFORM_TEMPLATE = `function transform(webhook) {
  // webhook: { url, headers, payload: { id, type, timestamp, data }, eventType }
  return {
    body: { text: 'New ' + webhook.eventType, data: webhook.payload.data },
    headers: { ...webhook.headers },
  };
}`;

/**
 * "Test transform": runs the transformation being written on the customer's most recent event
 * (POST /subscriptions/test-transform, nothing is sent) and shows the body before and after, or the
 * error an attempt would record. Runs on the button, so a half-typed function is never run; a result
 * says when the code has changed since.
 */
export function TransformPreview({ source, disabled }: { source: string; disabled: boolean }) {
  const trpc = useTRPC();
  const run = useMutation(trpc.subscriptions.testTransform.mutationOptions());
  const [ranOn, setRanOn] = useState<string | null>(null);
  const data = run.data;
  return (
    <div
      role="region"
      aria-label="Transform preview"
      aria-busy={run.isPending}
      className="mt-2 rounded-md bg-zinc-50 p-3 text-xs text-zinc-600 ring-1 ring-zinc-200 ring-inset dark:bg-zinc-950 dark:text-zinc-400 dark:ring-zinc-800"
    >
      <div className="flex flex-wrap items-center gap-3">
        <Button
          size="sm"
          disabled={disabled || run.isPending}
          onClick={() => {
            setRanOn(source);
            run.mutate({ transform: source });
          }}
        >
          {run.isPending && <IconSpinner className="size-3.5 animate-spin" />}
          Test transform
        </Button>
        <p
          aria-live="polite"
          data-testid="transform-summary"
          className="min-w-0 font-medium text-zinc-800 dark:text-zinc-200"
        >
          {run.isPending
            ? 'Running it on your most recent event…'
            : run.error
              ? describeError(run.error)
              : !data
                ? 'Runs it on your most recent event; nothing is sent.'
                : data.error
                  ? `It would fail (${data.error.class}): ${data.error.message}`
                  : data.cancelled
                    ? 'It cancels this event: nothing would be sent, and the delivery would end as succeeded.'
                    : `On ${data.event ? `your latest event, ${data.event.type}` : 'a sample event (you have published none yet)'}, in ${data.cpuMs} ms:`}
        </p>
      </div>
      {data && !run.isPending && ranOn !== null && ranOn !== source && (
        <p className="mt-2 text-amber-700 dark:text-amber-400" data-testid="transform-stale">
          The code changed since this run: test it again.
        </p>
      )}
      {data && !run.isPending && (
        <div className="mt-3 grid gap-3 md:grid-cols-2">
          <div>
            <h4 className="mb-1 font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">Before</h4>
            <CodeBlock label="Body before the transform" testId="transform-before" maxHeight="max-h-64">
              {prettyJson(data.before.body)}
            </CodeBlock>
          </div>
          <div>
            <h4 className="mb-1 font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">After</h4>
            {data.after ? (
              <>
                <CodeBlock label="Body after the transform" testId="transform-after" maxHeight="max-h-64">
                  {prettyJson(data.after.body)}
                </CodeBlock>
                {data.after.url !== data.before.url && (
                  <p className="mt-1.5 font-mono break-all" data-testid="transform-after-url">
                    POST {data.after.url}
                  </p>
                )}
                {Object.keys(data.after.headers).length > 0 && (
                  <div className="mt-1.5">
                    <HeaderTable headers={data.after.headers} label="Headers after the transform" />
                  </div>
                )}
              </>
            ) : (
              <p
                className="rounded-lg bg-white p-3 ring-1 ring-zinc-200 ring-inset dark:bg-zinc-900 dark:ring-zinc-800"
                data-testid="transform-after"
              >
                {data.cancelled ? 'Not sent (cancelled).' : 'Not sent: the attempt would fail.'}
              </p>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
