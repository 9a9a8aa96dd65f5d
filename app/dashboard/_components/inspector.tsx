'use client';

import { useId, useState, type KeyboardEvent } from 'react';
import { CodeBlock, HeaderTable, prettyJson } from '../../_components/code';
import { CopyButton } from '../../_components/copy-button';
import { HttpStatus } from '../../_components/status';
import { formatFull, formatLatency } from '../../_components/time';
import { redactedNames, toCurl } from './curl';
import type { Attempt } from './types';

type Tab = 'request' | 'response';

/**
 * One attempt as it went over the wire: the exact request (headers, body bytes as signed) and the
 * response (status, headers, body excerpt) or the error when there was none. `body` is the
 * delivery's request body: every attempt sent the same bytes, so reads carry it once, not per attempt;
 * unless the subscription's transform changed them: then the attempt carries what it sent
 * (`transformedBody`), shown with the event's body before it. An attempt that sent nothing (its
 * transform cancelled it or failed) says so instead of showing a request.
 */
export function Inspector({
  attempt,
  body,
  expungedAt = null,
}: {
  attempt: Attempt;
  body: string;
  expungedAt?: string | null;
}) {
  const [tab, setTab] = useState<Tab>('request');
  const [pretty, setPretty] = useState(true);
  const id = useId();
  const tabs: { key: Tab; label: string }[] = [
    { key: 'request', label: 'Request' },
    { key: 'response', label: attempt.response ? `Response ${attempt.response.status}` : 'Response' },
  ];
  function onKey(e: KeyboardEvent) {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next: Tab = tab === 'request' ? 'response' : 'request';
    setTab(next);
    document.getElementById(`${id}-${next}-tab`)?.focus();
  }
  const req = attempt.request;
  const sent = req.transformedBody ?? body;
  const unsent = attempt.error?.class === 'cancelled' || attempt.error?.class === 'transform';
  return (
    <div data-testid="inspector" aria-label={`Attempt ${attempt.attemptSeq}`} role="region">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-zinc-100 px-4 dark:border-zinc-800">
        <div role="tablist" aria-label="Attempt details" className="-mb-px flex gap-1" onKeyDown={onKey}>
          {tabs.map((t) => (
            <button
              key={t.key}
              id={`${id}-${t.key}-tab`}
              type="button"
              role="tab"
              aria-selected={tab === t.key}
              aria-controls={`${id}-${t.key}-panel`}
              tabIndex={tab === t.key ? 0 : -1}
              onClick={() => setTab(t.key)}
              className={`border-b-2 px-2.5 py-2.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-500 ${
                tab === t.key
                  ? 'border-indigo-600 text-zinc-900 dark:border-indigo-400 dark:text-white'
                  : 'border-transparent text-zinc-500 hover:text-zinc-800 dark:text-zinc-400 dark:hover:text-zinc-200'
              }`}
            >
              {t.label}
            </button>
          ))}
        </div>
        {!expungedAt && !unsent && (
          <div className="flex gap-2 py-2">
            <CopyButton label="Copy as curl" value={() => toCurl({ ...req, body: sent })} />
            <CopyButton label="Copy payload" text={sent} />
          </div>
        )}
      </div>
      <div
        id={`${id}-request-panel`}
        role="tabpanel"
        aria-labelledby={`${id}-request-tab`}
        hidden={tab !== 'request'}
        className="space-y-4 p-4"
      >
        <p className="font-mono text-xs break-all">
          <span className="mr-2 rounded bg-zinc-900 px-1.5 py-0.5 font-semibold text-white dark:bg-zinc-100 dark:text-zinc-900">
            {req.method}
          </span>
          {req.url}
        </p>
        {expungedAt ? (
          <ExpungedNote at={expungedAt} />
        ) : unsent ? (
          <UnsentNote attempt={attempt} body={body} />
        ) : (
          <>
            <div>
              <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
                Headers
              </h3>
              <div data-testid="request-headers">
                <HeaderTable headers={req.headers} label="Request headers" />
              </div>
              {redactedNames(req.headers).length > 0 && (
                <p data-testid="redacted-note" className="mt-1.5 text-xs text-zinc-500 dark:text-zinc-400">
                  {redactedNames(req.headers).join(', ')}: custom headers of this subscription. The real request carried
                  their values; Hookrelay keeps them encrypted and never shows them.
                </p>
              )}
            </div>
            <div>
              <div className="mb-1.5 flex items-center justify-between">
                <h3 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
                  {req.transformedBody !== null ? 'Body, as transformed' : 'Body'}
                </h3>
                <label className="flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400">
                  <input
                    type="checkbox"
                    checked={!pretty}
                    onChange={(e) => setPretty(!e.target.checked)}
                    className="accent-indigo-600"
                  />
                  Exact bytes as signed
                </label>
              </div>
              <CodeBlock label="Request body" testId="request-body">
                {pretty ? prettyJson(sent) : sent}
              </CodeBlock>
            </div>
            {req.transformedBody !== null && (
              <div>
                <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
                  Body before the transform (the event&apos;s)
                </h3>
                <CodeBlock label="Body before the transform" testId="request-body-before" maxHeight="max-h-64">
                  {pretty ? prettyJson(body) : body}
                </CodeBlock>
              </div>
            )}
          </>
        )}
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          Sent {formatFull(attempt.startedAt)}. A copied request keeps this attempt&apos;s timestamp and signature:
          receivers that enforce the 5-minute tolerance will refuse it later.
        </p>
      </div>
      <div
        id={`${id}-response-panel`}
        role="tabpanel"
        aria-labelledby={`${id}-response-tab`}
        hidden={tab !== 'response'}
        className="space-y-4 p-4"
      >
        {attempt.response ? (
          <>
            <p className="flex items-center gap-2 text-sm">
              <HttpStatus code={attempt.response.status} />
              <span className="text-zinc-500 dark:text-zinc-400">after {formatLatency(attempt.latencyMs)}</span>
            </p>
            {expungedAt ? (
              <ExpungedNote at={expungedAt} />
            ) : (
              <>
                <div>
                  <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
                    Headers
                  </h3>
                  <HeaderTable headers={attempt.response.headers} label="Response headers" />
                </div>
                <div>
                  <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
                    Body (excerpt)
                  </h3>
                  {attempt.response.bodyExcerpt ? (
                    <CodeBlock label="Response body" maxHeight="max-h-64">
                      {prettyJson(attempt.response.bodyExcerpt)}
                    </CodeBlock>
                  ) : (
                    <p className="text-xs text-zinc-500 dark:text-zinc-400">Empty body.</p>
                  )}
                </div>
              </>
            )}
          </>
        ) : unsent ? (
          <UnsentNote attempt={attempt} body={body} />
        ) : (
          <div
            role="note"
            className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-800 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200"
          >
            <p className="font-medium">No response</p>
            <p className="mt-0.5 break-words">
              {attempt.error
                ? `${attempt.error.class}: ${attempt.error.message ?? ''}`
                : 'The attempt ended before the endpoint answered.'}{' '}
              (after {formatLatency(attempt.latencyMs)})
            </p>
          </div>
        )}
      </div>
    </div>
  );
}

/** An attempt its subscription's transform cancelled, or failed before anything was sent. */
function UnsentNote({ attempt, body }: { attempt: Attempt; body: string }) {
  const cancelled = attempt.error?.class === 'cancelled';
  return (
    <div className="space-y-3" data-testid="unsent-note">
      <p
        role="note"
        className={
          cancelled
            ? 'rounded-lg border border-zinc-200 bg-zinc-50 p-3 text-sm text-zinc-700 dark:border-zinc-800 dark:bg-zinc-950 dark:text-zinc-300'
            : 'rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-800 dark:border-red-900/60 dark:bg-red-950/40 dark:text-red-200'
        }
      >
        <span className="font-medium">
          {cancelled ? 'Not sent: the transform cancelled this delivery.' : 'Not sent: the transform failed.'}
        </span>{' '}
        {!cancelled && <span className="break-words">{attempt.error?.message}</span>}
      </p>
      {body && (
        <div>
          <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
            The event&apos;s body it was given
          </h3>
          <CodeBlock label="Body before the transform" maxHeight="max-h-64">
            {prettyJson(body)}
          </CodeBlock>
        </div>
      )}
    </div>
  );
}

/** Shown where an expunged event's request or response headers and body were (lifecycle/expunge.ts). */
export function ExpungedNote({ at }: { at: string }) {
  return (
    <p
      role="note"
      data-testid="payload-expunged"
      className="rounded-lg border border-zinc-200 bg-zinc-50 p-3 text-sm text-zinc-700 dark:border-zinc-800 dark:bg-zinc-950 dark:text-zinc-300"
    >
      Payload expunged {formatFull(at)}: the body and the headers are no longer stored. Ids, times, statuses and codes
      remain.
    </p>
  );
}
