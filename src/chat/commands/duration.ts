import { UserInputError } from '../../errors.js';
import { parseFreqtradeDate } from '../../format/dates.js';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Turns `30m`, `4h`, `2d`, `1w` (or `1h30m`) into an absolute time after `nowMs`, or parses a date
 * as `parseFreqtradeDate` reads it (a date without a zone is taken as UTC). Throws UserInputError
 * for anything else or a time in the past.
 */
export function parseUntil(text: string, nowMs: number, usage?: string): Date {
  const compact = text.trim().toLowerCase();
  if (/^(\d+[mhdw])+$/.test(compact)) {
    let totalMs = 0;
    for (const match of compact.matchAll(/(\d+)([mhdw])/g))
      totalMs += Number(match[1]) * (UNIT_MS[match[2] as string] ?? 0);
    if (totalMs <= 0) throw new UserInputError(`Duration "${text}" must be longer than zero.`, usage);
    return new Date(nowMs + totalMs);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const ms = parseFreqtradeDate(text);
    if (ms === null) throw new UserInputError(`"${text}" is not a valid date.`, usage);
    const date = new Date(ms);
    if (ms <= nowMs) throw new UserInputError(`${date.toISOString()} is in the past.`, usage);
    return date;
  }
  throw new UserInputError(
    `"${text}" is neither a duration like 30m, 4h, 2d nor a date like 2026-12-01T12:00Z.`,
    usage,
  );
}
