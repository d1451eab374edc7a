/**
 * Date and duration formats exactly as Freqtrade prints them. Every function takes epoch
 * milliseconds and formats in UTC.
 */

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `"YYYY-MM-DD"` (UTC). */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** Freqtrade's `DATETIME_PRINT_FORMAT`: `"YYYY-MM-DD HH:MM:SS"`, UTC, no zone, seconds truncated. */
export function formatDt(ms: number): string {
  const d = new Date(ms);
  return `${formatDate(ms)} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** `"YYYY-MM-DDTHH:MM:SS[.ffffff]"` as Python's `isoformat()` writes it: microseconds only when non-zero. */
function isoBase(ms: number): string {
  const d = new Date(ms);
  const millis = d.getUTCMilliseconds();
  const fraction = millis === 0 ? '' : `.${String(millis).padStart(3, '0')}000`;
  return `${formatDt(ms).replace(' ', 'T')}${fraction}`;
}

/** An aware datetime as orjson / `isoformat()` writes it: `"2026-11-22T10:15:00.123000+00:00"` (ws frames). */
export function formatIsoOffset(ms: number): string {
  return `${isoBase(ms)}+00:00`;
}

/** An aware UTC datetime as pydantic serializes it: `"2026-11-22T10:15:00Z"` (REST models). */
export function formatIsoZ(ms: number): string {
  return `${isoBase(ms)}Z`;
}

/** A naive datetime (custom-data timestamps come from the DB without a zone): no suffix. */
export function formatIsoNaive(ms: number): string {
  return isoBase(ms);
}

/** `str(pandas.Timestamp)` of an aware UTC timestamp: `"2026-11-22 08:50:00+00:00"`. */
export function formatPandasTimestamp(ms: number): string {
  return `${formatDt(ms)}+00:00`;
}

/**
 * Python's `str(timedelta(seconds=s))` without microseconds: `"0:19:00"`, `"1 day, 2:03:04"`,
 * `"3 days, 0:00:00"`. Negative durations are clamped to zero.
 */
export function formatTimedelta(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const days = Math.floor(total / 86_400);
  const rest = total % 86_400;
  const clock = `${Math.floor(rest / 3600)}:${pad2(Math.floor((rest % 3600) / 60))}:${pad2(rest % 60)}`;
  if (days === 0) return clock;
  return `${days} ${days === 1 ? 'day' : 'days'}, ${clock}`;
}

/** arrow's `humanize()` relative to `nowMs`, e.g. `"17 minutes ago"`, `"just now"`, `"in 2 hours"`. */
export function humanizeSince(ms: number, nowMs: number): string {
  const deltaS = Math.round((nowMs - ms) / 1000);
  const future = deltaS < 0;
  const s = Math.abs(deltaS);
  const phrase = (text: string): string => (future ? `in ${text}` : `${text} ago`);
  if (s < 10) return future ? 'in seconds' : 'just now';
  if (s < 45) return phrase(`${s} seconds`);
  if (s < 90) return phrase('a minute');
  const minutes = Math.round(s / 60);
  if (minutes < 45) return phrase(`${minutes} minutes`);
  if (minutes < 90) return phrase('an hour');
  const hours = Math.round(s / 3600);
  if (hours < 24) return phrase(`${hours} hours`);
  if (hours < 48) return phrase('a day');
  const days = Math.round(s / 86_400);
  if (days < 7) return phrase(`${days} days`);
  if (days < 14) return phrase('a week');
  if (days < 30) return phrase(`${Math.floor(days / 7)} weeks`);
  if (days < 45) return phrase('a month');
  if (days < 365) return phrase(`${Math.round(days / 30)} months`);
  if (days < 730) return phrase('a year');
  return phrase(`${Math.floor(days / 365)} years`);
}

const TIMEFRAME_UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds of a ccxt timeframe (`"5m"` → 300000); `undefined` for anything it cannot parse. */
export function timeframeToMs(timeframe: string): number | undefined {
  const match = /^(\d+)([smhdw])$/.exec(timeframe);
  if (!match) return undefined;
  const unit = TIMEFRAME_UNIT_MS[match[2] ?? ''];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

/** Start of the UTC day containing `ms`. */
export function startOfUtcDay(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}
