import type { ReactNode } from 'react';

/** Monospaced, scrollable block for payloads and bodies; keeps the exact text. */
export function CodeBlock({
  children,
  label,
  maxHeight = 'max-h-96',
  testId,
}: {
  children: string;
  label: string;
  maxHeight?: string;
  testId?: string;
}) {
  return (
    <pre
      aria-label={label}
      tabIndex={0}
      data-testid={testId}
      className={`${maxHeight} overflow-auto rounded-lg bg-zinc-50 p-3 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap text-zinc-800 ring-1 ring-zinc-200 ring-inset focus-visible:outline-2 focus-visible:outline-indigo-500 dark:bg-zinc-950 dark:text-zinc-200 dark:ring-zinc-800`}
    >
      {children}
    </pre>
  );
}

/** Pretty-prints JSON text; returns the text unchanged when it is not JSON. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function HeaderTable({ headers, label }: { headers: Record<string, string>; label: string }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) return <p className="text-xs text-zinc-500 dark:text-zinc-400">No headers.</p>;
  return (
    <table aria-label={label} className="w-full text-left font-mono text-xs">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k} className="border-b border-zinc-100 align-top last:border-0 dark:border-zinc-800">
            <th
              scope="row"
              className="w-1/3 py-1.5 pr-3 font-medium whitespace-nowrap text-zinc-500 dark:text-zinc-400"
            >
              {k}
            </th>
            <td className="py-1.5 break-all text-zinc-800 dark:text-zinc-200">{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Mono({ children, className = '' }: { children: ReactNode; className?: string }) {
  return <span className={`font-mono text-[0.8125rem] ${className}`}>{children}</span>;
}
