/*
 * Dates: the one parser for the date strings Freqtrade sends (and users type), and UTC display.
 * Everything is UTC: a date without a zone is read as UTC, never as the machine's local time. Pure.
 */
import { formatDuration } from './durations.js';
import { NOT_AVAILABLE } from './missing.js';

const FREQTRADE_DATE =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Epoch ms of a Freqtrade date: `'YYYY-MM-DD HH:MM:SS'` (UTC without a zone, as the REST models
 * send it), RFC 3339 as the websocket sends it, or a bare `'YYYY-MM-DD'` (midnight UTC); a missing
 * zone means UTC. Null for `''`, null, or anything unparsable (`'2026-13-45'` included).
 */
export function parseFreqtradeDate(text: string | null | undefined): number | null {
  if (!text) return null;
  const match = FREQTRADE_DATE.exec(text.trim());
  if (!match) return null;
  const ms = Date.parse(`${match[1]}T${match[2] ?? '00:00:00'}${match[3] ?? 'Z'}`);
  return Number.isNaN(ms) ? null : ms;
}

/** `'2026-11-23 14:05 UTC'` for a Date or epoch ms (minutes; seconds dropped). */
export function formatUtc(value: Date | number): string {
  const date = typeof value === 'number' ? new Date(value) : value;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** True when `ms` is a real date: Freqtrade sends 0 (and we get null) for "no date". */
function isDateMs(ms: number | null | undefined): ms is number {
  return ms !== null && ms !== undefined && Number.isFinite(ms) && ms > 0;
}

/** `'2026-11-23 14:05 UTC'`; `n/a` for null, 0 or a non-finite value (Freqtrade sends 0 for "no date"). */
export function formatUtcOrNa(ms: number | null | undefined): string {
  return isDateMs(ms) ? formatUtc(ms) : NOT_AVAILABLE;
}

/** `'2026-11-23 14:05'` for a table whose header already says UTC; `n/a` like `formatUtcOrNa`. */
export function formatUtcCell(ms: number | null | undefined): string {
  return isDateMs(ms) ? formatUtc(ms).replace(/ UTC$/, '') : NOT_AVAILABLE;
}

/** `'2026-11-23 14:05:01'` (to the second, no zone word) for log lines; `fallback` when there is no date. */
export function formatUtcSeconds(ms: number | null | undefined, fallback: string = NOT_AVAILABLE): string {
  return isDateMs(ms) ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') : fallback;
}

/** `'2026-11-23 14:05 UTC (4h 47m ago)'`; `n/a` when there is no date; a future date shows no age. */
export function formatUtcWithAge(ms: number | null | undefined, nowMs: number): string {
  if (!isDateMs(ms)) return NOT_AVAILABLE;
  return nowMs >= ms ? `${formatUtc(ms)} (${formatDuration(nowMs - ms)} ago)` : formatUtc(ms);
}

/** `'4h 47m'` between two Freqtrade date strings; undefined when either is missing or unparsable. */
export function formatDurationBetween(
  from: string | null | undefined,
  to: string | null | undefined,
): string | undefined {
  const start = parseFreqtradeDate(from);
  const end = parseFreqtradeDate(to);
  return start === null || end === null ? undefined : formatDuration(end - start);
}
