'use client';

import { useEffect, useState } from 'react';
import { buttonClass } from './button';
import { IconCheck, IconCopy } from './icons';

async function writeClipboard(text: string) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API refused (insecure origin or no permission): fall back to a selection copy.
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
}

/** Copies `text` (or what `value()` returns at click time); says "Copied" for a moment, also to screen readers. */
export function CopyButton({
  text,
  value,
  label = 'Copy',
  size = 'sm',
  iconOnly = false,
}: {
  text?: string;
  value?: () => string;
  label?: string;
  size?: 'sm' | 'md';
  iconOnly?: boolean;
}) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <button
      type="button"
      className={
        iconOnly
          ? 'rounded p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-700 dark:hover:bg-zinc-800 dark:hover:text-zinc-200'
          : buttonClass('secondary', size)
      }
      aria-label={iconOnly ? label : undefined}
      title={iconOnly ? label : undefined}
      onClick={() => {
        void writeClipboard(value ? value() : (text ?? '')).then(() => setCopied(true));
      }}
    >
      {copied ? (
        <IconCheck className="size-3.5 text-emerald-600 dark:text-emerald-400" />
      ) : (
        <IconCopy className="size-3.5" />
      )}
      {!iconOnly && <span>{copied ? 'Copied' : label}</span>}
      <span className="sr-only" aria-live="polite">
        {copied ? 'Copied to clipboard' : ''}
      </span>
    </button>
  );
}
