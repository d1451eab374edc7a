import { describe, expect, it } from 'vitest';
import { formatDuration, parseTimedeltaMs } from './durations.js';

const MINUTE_MS = 60_000;

describe('formatDuration', () => {
  it('prints the two largest units, dropping a zero second unit', () => {
    expect(formatDuration((4 * 60 + 47) * MINUTE_MS + 9_280)).toBe('4h 47m');
    expect(formatDuration(3 * 60 * MINUTE_MS)).toBe('3h');
    expect(formatDuration((2 * 24 + 3) * 60 * MINUTE_MS + 5 * MINUTE_MS)).toBe('2d 3h');
    expect(formatDuration(12 * MINUTE_MS + 5_000)).toBe('12m 5s');
    expect(formatDuration(45_900)).toBe('45s');
  });

  it('prints 0s for a negative or non-finite duration', () => {
    expect(formatDuration(-5_000)).toBe('0s');
    expect(formatDuration(Number.NaN)).toBe('0s');
  });
});

describe('parseTimedeltaMs', () => {
  it("reads Python's timedelta text", () => {
    expect(parseTimedeltaMs('0:19:00')).toBe(19 * MINUTE_MS);
    expect(parseTimedeltaMs('1 day, 0:00:01')).toBe(86_401_000);
    expect(parseTimedeltaMs('2 days, 3:04:05.5')).toBe(((2 * 24 + 3) * 3600 + 4 * 60 + 5) * 1000);
  });

  it('returns null for anything else', () => {
    expect(parseTimedeltaMs('19 minutes')).toBeNull();
    expect(parseTimedeltaMs('')).toBeNull();
  });
});
