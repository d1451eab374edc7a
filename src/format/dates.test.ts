import { describe, expect, it } from 'vitest';
import {
  formatDurationBetween,
  formatUtc,
  formatUtcCell,
  formatUtcOrNa,
  formatUtcSeconds,
  formatUtcWithAge,
  parseFreqtradeDate,
} from './dates.js';

const AT_MS = Date.UTC(2026, 10, 23, 14, 5, 9);

describe('parseFreqtradeDate', () => {
  it("reads Freqtrade's naive REST dates as UTC", () => {
    expect(parseFreqtradeDate('2026-11-23 14:05:09')).toBe(AT_MS);
    expect(parseFreqtradeDate(' 2026-11-23T14:05:09 ')).toBe(AT_MS);
  });

  it('reads RFC 3339 with an offset or Z, fractions included', () => {
    expect(parseFreqtradeDate('2026-11-23T14:05:09+00:00')).toBe(AT_MS);
    expect(parseFreqtradeDate('2026-11-23T15:05:09+01:00')).toBe(AT_MS);
    expect(parseFreqtradeDate('2026-11-23T14:05:09.000Z')).toBe(AT_MS);
    expect(parseFreqtradeDate('2026-11-23T14:05:09.123456z')).toBe(AT_MS + 123);
  });

  it('reads a bare date as midnight UTC and a time without seconds', () => {
    expect(parseFreqtradeDate('2026-11-23')).toBe(Date.UTC(2026, 10, 23));
    expect(parseFreqtradeDate('2026-11-23 14:05')).toBe(Date.UTC(2026, 10, 23, 14, 5));
  });

  it('returns null for empty, missing or unparsable text', () => {
    expect(parseFreqtradeDate('')).toBeNull();
    expect(parseFreqtradeDate(null)).toBeNull();
    expect(parseFreqtradeDate(undefined)).toBeNull();
    expect(parseFreqtradeDate('yesterday')).toBeNull();
    expect(parseFreqtradeDate('2026-13-45')).toBeNull();
  });
});

describe('UTC display', () => {
  it('prints a date to the minute with the zone', () => {
    expect(formatUtc(AT_MS)).toBe('2026-11-23 14:05 UTC');
    expect(formatUtc(new Date(AT_MS))).toBe('2026-11-23 14:05 UTC');
  });

  it("prints n/a for Freqtrade's 0 and for a missing date", () => {
    expect(formatUtcOrNa(AT_MS)).toBe('2026-11-23 14:05 UTC');
    expect(formatUtcOrNa(0)).toBe('n/a');
    expect(formatUtcOrNa(null)).toBe('n/a');
    expect(formatUtcCell(AT_MS)).toBe('2026-11-23 14:05');
    expect(formatUtcCell(undefined)).toBe('n/a');
  });

  it('prints log times to the second, or the fallback', () => {
    expect(formatUtcSeconds(AT_MS)).toBe('2026-11-23 14:05:09');
    expect(formatUtcSeconds(0, '2026-11-23 14:05:09,123')).toBe('2026-11-23 14:05:09,123');
  });

  it('adds the age of a past date and none for a future one', () => {
    expect(formatUtcWithAge(AT_MS, AT_MS + 3 * 3_600_000)).toBe('2026-11-23 14:05 UTC (3h ago)');
    expect(formatUtcWithAge(AT_MS, AT_MS - 1)).toBe('2026-11-23 14:05 UTC');
    expect(formatUtcWithAge(null, AT_MS)).toBe('n/a');
  });

  it('prints the time between two Freqtrade dates, undefined when one is missing', () => {
    expect(formatDurationBetween('2026-11-23 10:00:00', '2026-11-23T14:47:00+00:00')).toBe('4h 47m');
    expect(formatDurationBetween('2026-11-23 10:00:00', null)).toBeUndefined();
  });
});
