/** What a backfill covers, as the API takes it: events published from `from` (to `to`, else now), of these types or all. */
export type BackfillRange = { from: string; to?: string; eventTypes?: string[] };

/** The form's range as the API takes it, or why it is not one yet. */
export function rangeOf(from: string, to: string, eventTypes: string): { input: BackfillRange } | { problem: string } {
  const start = new Date(from);
  if (!from || Number.isNaN(start.getTime())) return { problem: 'Pick the first moment to send events from.' };
  if (start.getTime() >= Date.now()) return { problem: 'Pick a moment in the past.' };
  const end = to ? new Date(to) : null;
  if (end && Number.isNaN(end.getTime())) return { problem: 'Pick a valid end, or leave it empty for now.' };
  if (end && end.getTime() <= start.getTime()) return { problem: 'The end must be after the start.' };
  const types = eventTypes
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return {
    input: {
      from: start.toISOString(),
      ...(end && { to: end.toISOString() }),
      ...(types.length && { eventTypes: types }),
    },
  };
}
