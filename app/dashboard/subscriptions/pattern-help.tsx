'use client';

import { useState } from 'react';
import { firstMatch, validateEventType, validatePattern } from '@/server/domain/patterns';

/** How patterns match, and a box to try an event type against the patterns typed so far. */
export function PatternHelp({ patterns }: { patterns: string[] }) {
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
          <code className="font-semibold text-zinc-800 dark:text-zinc-200">order.*</code> one segment: order.created,
          not order.item.added
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
