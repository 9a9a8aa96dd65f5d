import { describe, expect, it } from 'vitest';
import { channelMismatch, inChannels } from './channels';

describe('channel routing', () => {
  it('a subscription without channels receives every event, in channels or not', () => {
    expect(inChannels([], [])).toBe(true);
    expect(inChannels([], ['eu'])).toBe(true);
  });

  it('a subscription with channels receives only events in at least one of them', () => {
    expect(inChannels(['eu', 'us'], ['us'])).toBe(true);
    expect(inChannels(['eu', 'us'], ['apac', 'eu'])).toBe(true);
    expect(inChannels(['eu'], ['EU'])).toBe(false);
    expect(inChannels(['eu'], [])).toBe(false);
  });

  it('says which channels kept an event out', () => {
    expect(channelMismatch(['eu', 'us'], ['apac'])).toBe('channel not in [eu, us] (the event is in [apac])');
    expect(channelMismatch(['eu'], [])).toBe('channel not in [eu] (the event is in no channel)');
    expect(channelMismatch(['eu'], ['eu'])).toBeNull();
  });
});
