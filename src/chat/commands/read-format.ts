/*
 * Small display helpers shared by the read-only commands (trades.ts, profit.ts, info.ts). Pure
 * except `settled`, which only awaits. Money and ratio formatting lives in notify/numbers.ts.
 */
import type { FreqtradeClient } from '../../freqtrade/client.js';
import type { Logger } from '../../logger.js';
import { formatDuration, formatMoney, formatSignedMoney, formatSignedPercent } from '../../notify/numbers.js';
import { formatUtc } from './duration.js';

/** What a missing value prints as. */
export const NOT_AVAILABLE = 'n/a';

/**
 * Epoch ms of a Freqtrade date: `"YYYY-MM-DD HH:MM:SS"` (UTC without a zone, as the REST models
 * send it) or ISO 8601 with or without a zone (a missing zone means UTC); null for `""`, null or
 * anything unparsable.
 */
export function parseFreqtradeDate(text: string | null | undefined): number | null {
  if (!text) return null;
  const trimmed = text.trim();
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    trimmed,
  );
  if (!match) return null;
  const iso = `${match[1]}T${match[2] ?? '00:00:00'}${match[3] ?? 'Z'}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** `"2026-11-23 14:05 UTC"`; `n/a` for null, 0 or a non-finite value (Freqtrade sends 0 for "no date"). */
export function formatUtcOrNa(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0 ? NOT_AVAILABLE : formatUtc(ms);
}

/** `"2026-11-23 14:05"` for a table whose header already says UTC; `n/a` like `formatUtcOrNa`. */
export function formatUtcCell(ms: number | null | undefined): string {
  const text = formatUtcOrNa(ms);
  return text === NOT_AVAILABLE ? text : text.replace(/ UTC$/, '');
}

/** `"2026-11-23 14:05 UTC (4h 47m ago)"`; `n/a` when there is no date; a future date shows no age. */
export function formatUtcWithAge(ms: number | null | undefined, nowMs: number): string {
  const text = formatUtcOrNa(ms);
  if (text === NOT_AVAILABLE || ms === null || ms === undefined) return text;
  return nowMs >= ms ? `${text} (${formatDuration(nowMs - ms)} ago)` : text;
}

/** `format(value)`, or `n/a` when the value is null, undefined or not finite. */
export function orNa(value: number | null | undefined, format: (value: number) => string): string {
  return value === null || value === undefined || !Number.isFinite(value) ? NOT_AVAILABLE : format(value);
}

/** `"2 / 3"`, with Freqtrade's -1 ("unlimited") as `∞`. */
export function formatLimit(value: number): string {
  return value < 0 ? '∞' : String(value);
}

/** A value that is a percent already (CPU 12.5 → `"12.5%"`), one decimal. */
export function formatPlainPercent(percent: number): string {
  return Number.isFinite(percent) ? `${percent.toFixed(1)}%` : NOT_AVAILABLE;
}

/** The value of a secondary call, or undefined when it failed (logged at debug: the main call decides the reply). */
export async function settled<T>(promise: Promise<T>, logger: Logger, what: string): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    logger.debug({ err: error, what }, 'secondary freqtrade call failed; replying without it');
    return undefined;
  }
}

/** The bot's stake currency from /show_config (`""` when that call fails), for labelling money. */
export async function stakeCurrencyOf(bot: FreqtradeClient, logger: Logger): Promise<string> {
  const config = await settled(bot.showConfig(), logger, 'show_config');
  return config?.stake_currency ?? '';
}

/** `"Profit USDT"` / `"Profit"` for a table header. */
export function withCurrency(label: string, currency: string): string {
  return currency ? `${label} ${currency}` : label;
}

/** `"3 trades"` / `"1 trade"`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** A ratio as a percent without a plus sign, for rates that are never negative (winrate 0.5 → `"50.00%"`). */
export function formatPercent(ratio: number): string {
  return formatSignedPercent(ratio).replace(/^\+/, '');
}

/**
 * Milliseconds of a Python `timedelta` string as Freqtrade prints it (`"0:19:00"`,
 * `"2 days, 3:04:05"`); null when it is not one.
 */
export function parseTimedeltaMs(text: string): number | null {
  const match = /^(?:(\d+) days?, )?(\d+):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(text.trim());
  if (!match) return null;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return (((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
}

/** `formatSignedMoney` without the currency suffix, for table cells whose header names the currency (decimals still follow it: 8 for BTC). */
export function formatSignedAmount(amount: number, currency: string): string {
  return stripCurrency(formatSignedMoney(amount, currency), currency);
}

/** `formatMoney` without the currency suffix, like `formatSignedAmount`. */
export function formatAmount(amount: number, currency: string): string {
  return stripCurrency(formatMoney(amount, currency), currency);
}

function stripCurrency(text: string, currency: string): string {
  return currency && text.endsWith(` ${currency}`) ? text.slice(0, -currency.length - 1) : text;
}

/** `format(value)`, or `""` when the value is null, undefined or not finite: for optional parts of a line. */
export function orEmpty(value: number | null | undefined, format: (value: number) => string): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '' : format(value);
}
