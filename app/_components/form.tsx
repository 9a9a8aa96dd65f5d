import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';
import { Button } from './button';

export const inputClass =
  'block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm shadow-xs placeholder:text-zinc-400 focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500/30 aria-[invalid=true]:border-red-500 dark:border-zinc-700 dark:bg-zinc-950 dark:placeholder:text-zinc-500 dark:aria-[invalid=true]:border-red-400';

/** A labelled field with its hint and its error (announced, and tied to the input by aria-describedby). */
export function Field({
  id,
  label,
  hint,
  error,
  children,
  optional,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string | null;
  children: ReactNode;
  optional?: boolean;
}) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium">
        {label}
        {optional && <span className="ml-1 font-normal text-zinc-500 dark:text-zinc-400">(optional)</span>}
      </label>
      {children}
      {error ? (
        // One problem per line (several patterns can be wrong at once).
        <p
          id={`${id}-error`}
          role="alert"
          data-testid={`${id}-error`}
          className="mt-1 text-xs whitespace-pre-line text-red-600 dark:text-red-400"
        >
          {error}
        </p>
      ) : (
        hint && (
          <div id={`${id}-hint`} className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
            {hint}
          </div>
        )
      )}
    </div>
  );
}

export function describedBy(id: string, error: string | null | undefined, hint: boolean) {
  return error ? `${id}-error` : hint ? `${id}-hint` : undefined;
}

/** What ties a control to its Field: its id, whether it is invalid, and what describes it (the error, else the hint). */
type FieldControl = { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined };

/** A Field around one control: `children` draws it, given the attributes that tie it to the label, the hint and the error. */
export function FormField({
  children,
  ...field
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string | null;
  optional?: boolean;
  children: (control: FieldControl) => ReactNode;
}) {
  const { id, error, hint } = field;
  return (
    <Field {...field}>
      {children({ id, 'aria-invalid': !!error, 'aria-describedby': describedBy(id, error, !!hint) })}
    </Field>
  );
}

/** Inputs, selects and medium buttons share one height (h-9), so a filter bar lines up. */
export function Input(props: InputHTMLAttributes<HTMLInputElement>) {
  return <input {...props} className={`${inputClass} h-9 ${props.className ?? ''}`} />;
}

export function Textarea(props: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea {...props} className={`${inputClass} ${props.className ?? ''}`} />;
}

/** A native select drawn like the inputs (same border, height and padding) with its own chevron. */
export function Select(props: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select
      {...props}
      className={`${inputClass} select-chevron h-9 max-w-full cursor-pointer appearance-none truncate pr-8 ${props.className ?? ''}`}
    />
  );
}

/** A checkbox with its label and a hint beneath (tied to it by aria-describedby). */
export function CheckboxField({
  id,
  name,
  label,
  hint,
  checked,
  onChange,
}: {
  id: string;
  name: string;
  label: string;
  hint: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div className="flex items-start gap-2.5">
      <input
        id={id}
        name={name}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={`${id}-hint`}
        className="mt-0.5 size-4 accent-indigo-600"
      />
      <div className="text-sm">
        <label htmlFor={id} className="font-medium text-zinc-900 dark:text-zinc-100">
          {label}
        </label>
        <p id={`${id}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
          {hint}
        </p>
      </div>
    </div>
  );
}

/** A form's buttons, at its end on the right: Cancel, then the form's own (its submit last). */
export function FormActions({ onCancel, children }: { onCancel: () => void; children: ReactNode }) {
  return (
    <div className="flex justify-end gap-2 pt-2">
      <Button onClick={onCancel}>Cancel</Button>
      {children}
    </div>
  );
}

/** A checkbox inside its label (`children`), on one line: an option beside another control. `className`s add to the label's and the box's own. */
export function InlineCheckbox({
  name,
  checked,
  onChange,
  className = '',
  inputClassName = '',
  children,
}: {
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  className?: string;
  inputClassName?: string;
  children: ReactNode;
}) {
  return (
    <label className={`flex items-center gap-2 ${className}`}>
      <input
        type="checkbox"
        name={name}
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        className={`size-4 accent-indigo-600 ${inputClassName}`}
      />
      {children}
    </label>
  );
}
