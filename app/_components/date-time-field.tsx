import { describedBy, Field, Input } from './form';

/** `datetime-local` wants "YYYY-MM-DDTHH:mm" in the viewer's zone. */
export function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** The viewer's time zone, which a `datetime-local` input's value is in ("Europe/Paris"). */
export const viewerTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A labelled date and time input (the viewer's zone) with its hint and its error. */
export function DateTimeField({
  id,
  label,
  optional,
  hint,
  error,
  value,
  onChange,
}: {
  id: string;
  label: string;
  optional?: boolean;
  hint: string;
  error: string | null;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field id={id} label={label} optional={optional} error={error} hint={hint}>
      <Input
        id={id}
        type="datetime-local"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!!error}
        aria-describedby={describedBy(id, error, true)}
      />
    </Field>
  );
}
