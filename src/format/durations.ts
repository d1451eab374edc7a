/** Lengths of time: printing milliseconds, and reading Freqtrade's Python `timedelta` text. Pure. */

/** A duration as its two largest units (`'4h 47m'`, `'2d 3h'`, `'12m 5s'`, `'45s'`), a zero second unit dropped (`'3h'`); negative or non-finite → `'0s'`. */
export function formatDuration(ms: number): string {
  const totalSeconds = Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  const pair = (major: number, majorUnit: string, minor: number, minorUnit: string) =>
    minor > 0 ? `${major}${majorUnit} ${minor}${minorUnit}` : `${major}${majorUnit}`;
  if (days > 0) return pair(days, 'd', hours, 'h');
  if (hours > 0) return pair(hours, 'h', minutes, 'm');
  if (minutes > 0) return pair(minutes, 'm', seconds, 's');
  return `${seconds}s`;
}

/**
 * Milliseconds of a Python `timedelta` string as Freqtrade prints it (`'0:19:00'`,
 * `'2 days, 3:04:05'`); null when it is not one.
 */
export function parseTimedeltaMs(text: string): number | null {
  const match = /^(?:(\d+) days?, )?(\d+):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(text.trim());
  if (!match) return null;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
}
