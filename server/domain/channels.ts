/**
 * Channel routing, a pure function shared by the fan-out, the routing trace and the filter dry run.
 * A subscription with no channels receives every event (in channels or not); one that names channels
 * receives an event only when the event is in at least one of them. Names compare exactly (case too).
 */
export function inChannels(subscriptionChannels: readonly string[], eventChannels: readonly string[]): boolean {
  if (subscriptionChannels.length === 0) return true;
  return eventChannels.some((c) => subscriptionChannels.includes(c));
}

/** Why a subscription's channels keep an event from it (for the routing trace), or null when they do not. */
export function channelMismatch(
  subscriptionChannels: readonly string[],
  eventChannels: readonly string[],
): string | null {
  if (inChannels(subscriptionChannels, eventChannels)) return null;
  const list = (names: readonly string[]) => `[${names.join(', ')}]`;
  return eventChannels.length === 0
    ? `channel not in ${list(subscriptionChannels)} (the event is in no channel)`
    : `channel not in ${list(subscriptionChannels)} (the event is in ${list(eventChannels)})`;
}

/** A channel name: 1 to 64 of `A-Z a-z 0-9 . _ : -` (the API's rule, server/domain/inputs.ts; forms check with it too). */
export const CHANNEL_NAME = /^[A-Za-z0-9._:-]{1,64}$/;
/** A tag: 1 to 64 characters, no control characters (lone surrogates are refused by the API's `text()`). */
export const TAG_NAME = /^\P{Cc}{1,64}$/u;
