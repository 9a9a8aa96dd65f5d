/**
 * How the product words a wait and an article, once, for API messages and the dashboard alike:
 * "try again in 15 minutes" (seconds only under a minute), "an event id".
 */

/** A wait or a span in whole seconds as people say it: "45 seconds", "1 minute", "15 minutes", "2 hours". Rounded up, never "0 seconds". */
export function formatDuration(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return plural(s, 'second');
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}

/** "1 attempt", "12 attempts": a count with its noun (regular plurals only). */
export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** "a subscription", "an event", "an API key": the article goes by the sound of the first letter. */
export function withArticle(noun: string): string {
  return `${/^(?:[aeio]|u(?!s)|API\b|HTTP\b|SQL\b)/i.test(noun) ? 'an' : 'a'} ${noun}`;
}
