'use client';

import type { ChangeEvent } from 'react';
import { Textarea } from '../../_components/form';

/** Reads a PEM file the user picked into a field (bounded: a certificate file is a few KB). */
function pemFile(limit: number, onText: (text: string) => void, onError: (message: string) => void) {
  return (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > limit)
      return onError(
        `${file.name} is ${file.size.toLocaleString()} bytes: a PEM file here is at most ${limit.toLocaleString()}.`,
      );
    file.text().then(onText, () => onError(`Could not read ${file.name}.`));
  };
}

export function PemField(props: {
  id: string;
  label: string;
  hint: string;
  placeholder: string;
  value: string;
  limit: number;
  onText: (text: string) => void;
  onFileError: (message: string) => void;
}) {
  return (
    <div>
      <div className="mb-1 flex flex-wrap items-baseline justify-between gap-2">
        <label htmlFor={props.id} className="text-sm font-medium">
          {props.label}
        </label>
        <label className="cursor-pointer text-xs font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          Load from a file…
          <input
            type="file"
            accept=".pem,.crt,.cer,.key,text/plain,application/x-pem-file"
            className="sr-only"
            aria-label={`${props.label}: load from a file`}
            onChange={pemFile(props.limit, props.onText, props.onFileError)}
          />
        </label>
      </div>
      <Textarea
        id={props.id}
        rows={4}
        spellCheck={false}
        autoComplete="off"
        placeholder={props.placeholder}
        value={props.value}
        onChange={(e) => props.onText(e.target.value)}
        aria-describedby={`${props.id}-hint`}
        className="font-mono text-xs"
      />
      <p id={`${props.id}-hint`} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
        {props.hint}
      </p>
    </div>
  );
}
