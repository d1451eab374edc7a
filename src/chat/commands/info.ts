/*
 * Read-only bot information commands: /locks, /whitelist, /show_config, /logs, /health,
 * /version, /sysinfo. Wording follows Freqtrade's own Telegram replies (rpc/telegram.py).
 */
import { z } from 'zod';
import type { Locks, LogLine, ShowConfig } from '../../freqtrade/schemas.js';
import { formatUtcCell, formatUtcOrNa, formatUtcSeconds, parseFreqtradeDate } from '../../format/dates.js';
import { formatDuration } from '../../format/durations.js';
import { NOT_AVAILABLE, orNa } from '../../format/missing.js';
import { formatLimit, formatPlainPercent, formatRate, formatSignedPercent } from '../../format/numbers.js';
import { plural } from '../../format/plural.js';
import { arg } from '../arguments.js';
import type { ReplyBlock, ReplyField } from '../reply.js';
import { defineCommand } from '../types.js';
import { settled } from './secondary-calls.js';

const DEFAULT_LOG_LINES = 10;
const MAX_LOG_LINES = 100;
/**
 * At most this many characters of log lines (about three Telegram messages of 4096; renderers
 * split longer replies): the oldest lines go first.
 */
const MAX_LOG_CHARS = 12_000;
/** One log message longer than this (a traceback) is cut. */
const MAX_LOG_LINE_CHARS = 600;
/**
 * Freqtrade runs its loop every few seconds (`internals.process_throttle_secs`, default 5): a last
 * process older than this means the loop is stuck or the bot is stopped.
 */
const HEALTH_STALE_MS = 5 * 60_000;
/** What /version says when the strategy declares no `version()` (show_config `strategy_version: null`). */
const STRATEGY_VERSION_NOT_SET = 'not set';

// ---------------------------------------------------------------- /locks

export const locksCommand = defineCommand({
  name: 'locks',
  order: 140,
  description: 'Active pair locks: pair, side, until when and why',
  usage: '/locks',
  role: 'viewer',
  args: z.object({}),
  async run(run) {
    const { locks } = await run.bot.locks();
    if (locks.length === 0) {
      return { title: '🔒 Locks', tone: 'neutral', blocks: [{ kind: 'text', text: 'No active locks.' }] };
    }
    return { title: `🔒 Locks (${locks.length})`, tone: 'info', blocks: [locksTable(locks)] };
  },
});

/** The locks as a table (id, pair, side, until, reason): /locks, and /unlock for what remains. */
export function locksTable(locks: Locks['locks']): ReplyBlock {
  const rows = locks.map((lock) => [
    String(lock.id),
    lock.pair === '*' ? '* (all)' : lock.pair,
    lock.side === '*' ? 'both' : lock.side,
    formatUtcCell(
      lock.lock_end_timestamp > 0 ? lock.lock_end_timestamp : parseFreqtradeDate(lock.lock_end_time),
    ),
    lock.reason ?? '',
  ]);
  return {
    kind: 'table',
    headers: ['ID', 'Pair', 'Side', 'Until (UTC)', 'Reason'],
    rows,
    align: ['right', 'left', 'left', 'left', 'left'],
  };
}

// ---------------------------------------------------------------- /whitelist

export const whitelistCommand = defineCommand({
  name: 'whitelist',
  order: 150,
  description:
    'The pairs the bot trades and the pairlist method; "sorted" sorts them, "baseonly" drops the quote',
  usage: '/whitelist [options: sorted baseonly]',
  role: 'viewer',
  args: z.object({
    options: z
      .array(arg.choice(['sorted', 'baseonly'], 'sorted, baseonly'))
      .default([])
      .describe('sorted (A to Z), baseonly (BTC instead of BTC/USDT)'),
  }),
  async run(run) {
    const whitelist = await run.bot.whitelist();
    const method = whitelist.method.join(', ') || NOT_AVAILABLE;
    // As Freqtrade's /whitelist: sort first, then cut each pair to its base currency.
    let pairs = run.args.options.includes('sorted') ? [...whitelist.whitelist].sort() : whitelist.whitelist;
    if (run.args.options.includes('baseonly')) pairs = pairs.map((pair) => pair.split('/')[0] ?? pair);
    const blocks: ReplyBlock[] = [
      { kind: 'text', text: `Using whitelist ${method} with ${plural(whitelist.length, 'pair')}.` },
    ];
    if (pairs.length > 0) blocks.push({ kind: 'text', text: pairs.join(', ') });
    return { title: '📋 Whitelist', tone: 'info', blocks };
  },
});

// ---------------------------------------------------------------- /show_config

/** `"dry-run"`, `"live"`, or the run mode when it is neither (webserver). */
function modeText(config: ShowConfig): string {
  if (config.runmode === 'webserver') return 'webserver';
  return config.dry_run ? 'dry-run' : 'live';
}

/** `"spot"` or `"futures (isolated)"`. */
function marketText(config: ShowConfig): string {
  return config.margin_mode ? `${config.trading_mode} (${config.margin_mode})` : config.trading_mode;
}

/** The ROI table as `"0 min: +4.00%, 20 min: +2.00%"`, by ascending minutes; non-numbers shown as given. */
function roiText(roi: Record<string, unknown>): string {
  const steps = Object.entries(roi).sort(([a], [b]) => Number(a) - Number(b));
  if (steps.length === 0) return NOT_AVAILABLE;
  return steps
    .map(
      ([minutes, value]) =>
        `${minutes} min: ${typeof value === 'number' ? formatSignedPercent(value) : String(value)}`,
    )
    .join(', ');
}

/** `"off"`, or `"on, +1.00% after +2.00% profit, only once the offset is reached"`. */
function trailingText(config: ShowConfig): string {
  if (!config.trailing_stop) return 'off';
  const parts = ['on'];
  if (config.trailing_stop_positive !== null && config.trailing_stop_positive !== undefined) {
    const offset = config.trailing_stop_positive_offset
      ? ` after ${formatSignedPercent(config.trailing_stop_positive_offset)} profit`
      : '';
    parts.push(`${formatSignedPercent(config.trailing_stop_positive)}${offset}`);
  }
  if (config.trailing_only_offset_is_reached) parts.push('only once the offset is reached');
  return parts.join(', ');
}

/** A pricing setting shown as given: numbers and booleans plainly, anything else as JSON. */
function settingText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Pricing keys worded below; any other key of the dict is appended as `key: value`. */
const PRICING_KEYS = new Set([
  'price_side',
  'use_order_book',
  'order_book_top',
  'price_last_balance',
  'check_depth_of_market',
]);

/**
 * `entry_pricing` / `exit_pricing` in words: `"same side, order book top 1"`, or `"other side,
 * ticker, last balance 0.5"` (`price_last_balance` only matters when pricing from the ticker),
 * plus the depth-of-market check when it is on; `null` when the server sent an empty dict.
 */
function pricingText(pricing: Record<string, unknown>): string | null {
  if (Object.keys(pricing).length === 0) return null;
  const parts: string[] = [];
  if (pricing['price_side'] !== undefined) parts.push(`${settingText(pricing['price_side'])} side`);
  if (pricing['use_order_book'] === true) {
    parts.push(`order book top ${settingText(pricing['order_book_top'] ?? 1)}`);
  } else if (pricing['use_order_book'] === false) {
    parts.push('ticker');
    const balance = pricing['price_last_balance'];
    if (balance !== undefined && balance !== null) parts.push(`last balance ${settingText(balance)}`);
  }
  const depth = pricing['check_depth_of_market'];
  if (depth !== null && typeof depth === 'object' && (depth as Record<string, unknown>)['enabled'] === true) {
    const delta = (depth as Record<string, unknown>)['bids_to_ask_delta'];
    parts.push(`depth of market checked${delta !== undefined ? ` (bids/asks ≥ ${settingText(delta)})` : ''}`);
  }
  for (const [key, value] of Object.entries(pricing)) {
    if (!PRICING_KEYS.has(key)) parts.push(`${key}: ${settingText(value)}`);
  }
  return parts.length > 0 ? parts.join(', ') : null;
}

/** `"-10.00%"`, with `", custom stoploss"` when the strategy moves it with `custom_stoploss`. */
function stoplossText(config: ShowConfig): string {
  return `${orNa(config.stoploss, formatSignedPercent)}${config.use_custom_stoploss ? ', custom stoploss' : ''}`;
}

/** `Entry pricing` and `Exit pricing`, each left out when the server sent an empty dict. */
function pricingFields(config: ShowConfig): ReplyField[] {
  const fields: ReplyField[] = [];
  const entry = pricingText(config.entry_pricing);
  const exit = pricingText(config.exit_pricing);
  if (entry !== null) fields.push({ label: 'Entry pricing', value: entry });
  if (exit !== null) fields.push({ label: 'Exit pricing', value: exit });
  return fields;
}

export const showConfigCommand = defineCommand({
  name: 'show_config',
  order: 160,
  aliases: ['show_conf'],
  description: 'Mode, exchange, strategy, stake, limits, stoploss, trailing, ROI, pricing and state',
  usage: '/show_config',
  role: 'viewer',
  args: z.object({}),
  async run(run) {
    const config = await run.bot.showConfig();
    const stake = /^\d/.test(config.stake_amount)
      ? `${config.stake_amount} ${config.stake_currency}`
      : `${config.stake_amount} (${config.stake_currency})`;
    const fields: ReplyField[] = [
      { label: 'Bot name', value: config.bot_name || NOT_AVAILABLE },
      { label: 'State', value: config.state || NOT_AVAILABLE },
      { label: 'Mode', value: modeText(config) },
      { label: 'Exchange', value: config.exchange },
      { label: 'Market', value: marketText(config) },
      {
        label: 'Strategy',
        value: `${config.strategy ?? NOT_AVAILABLE}${config.strategy_version ? ` (version ${config.strategy_version})` : ''}`,
      },
      { label: 'Timeframe', value: config.timeframe ?? NOT_AVAILABLE },
      { label: 'Stake per trade', value: stake },
      { label: 'Max open trades', value: formatLimit(config.max_open_trades) },
      { label: 'Stoploss', value: stoplossText(config) },
      { label: 'Stoploss on exchange', value: config.stoploss_on_exchange ? 'yes' : 'no' },
      { label: 'Trailing stop', value: trailingText(config) },
      { label: 'Minimal ROI', value: roiText(config.minimal_roi) },
      ...pricingFields(config),
      {
        label: 'Position adjustment',
        value: config.position_adjustment_enable
          ? `on (max ${formatLimit(config.max_entry_position_adjustment)} extra entries)`
          : 'off',
      },
      { label: 'Force entry', value: config.force_entry_enable ? 'enabled' : 'disabled' },
      { label: 'Freqtrade version', value: config.version },
    ];
    return { title: '⚙️ Configuration', tone: 'info', blocks: [{ kind: 'fields', fields }] };
  },
});

// ---------------------------------------------------------------- /logs

/** `"2024-05-10 11:35:01 INFO freqtrade.worker: Starting worker"`, the time in UTC from the epoch ms. */
function logLineText([date, timestampMs, logger, level, message]: LogLine): string {
  const time = formatUtcSeconds(timestampMs, date);
  const text = message.length > MAX_LOG_LINE_CHARS ? `${message.slice(0, MAX_LOG_LINE_CHARS)}…` : message;
  return `${time} ${level} ${logger}: ${text}`;
}

export const logsCommand = defineCommand({
  name: 'logs',
  order: 170,
  description: `The latest log lines of the bot (default ${DEFAULT_LOG_LINES}, at most ${MAX_LOG_LINES})`,
  usage: '/logs [n]',
  role: 'viewer',
  args: z.object({ n: arg.count('how many lines', 1, MAX_LOG_LINES).optional() }),
  async run(run) {
    const count = run.args.n ?? DEFAULT_LOG_LINES;
    const { logs } = await run.bot.logs(count);
    if (logs.length === 0) {
      return { title: '📜 Logs', tone: 'neutral', blocks: [{ kind: 'text', text: 'No log lines.' }] };
    }
    // Newest lines win when they do not all fit one message.
    const lines: string[] = [];
    let size = 0;
    for (const line of logs.slice(-count).reverse()) {
      const text = logLineText(line);
      if (lines.length > 0 && size + text.length + 1 > MAX_LOG_CHARS) break;
      lines.unshift(text);
      size += text.length + 1;
    }
    const left = logs.slice(-count).length - lines.length;
    const blocks: ReplyBlock[] = [{ kind: 'code', text: lines.join('\n') }];
    blocks.push({
      kind: 'text',
      text: `Times in UTC.${left > 0 ? ` ${plural(left, 'older line')} left out to keep the reply short.` : ''}`,
      style: 'italic',
    });
    return { title: `📜 Logs (last ${plural(lines.length, 'line')})`, tone: 'info', blocks };
  },
});

// ---------------------------------------------------------------- /health

/** Epoch ms from a `/health` pair: the seconds timestamp if present, else the ISO string. */
function healthMs(seconds: number | null | undefined, iso: string | null | undefined): number | null {
  if (seconds !== null && seconds !== undefined && seconds > 0) return seconds * 1000;
  return parseFreqtradeDate(iso);
}

export const healthCommand = defineCommand({
  name: 'health',
  order: 180,
  description: "When the bot's loop last ran, and when it started",
  usage: '/health',
  role: 'viewer',
  args: z.object({}),
  async run(run) {
    const health = await run.bot.health();
    const nowMs = run.services.now();
    const last = healthMs(health.last_process_ts, health.last_process);
    const age = last === null ? null : Math.max(0, nowMs - last);
    const fields: ReplyField[] = [
      {
        label: 'Last process',
        value:
          last === null
            ? 'never (the bot has not run its loop yet)'
            : `${formatUtcOrNa(last)} (${formatDuration(age ?? 0)} ago)`,
      },
      { label: 'Bot start', value: formatUtcOrNa(healthMs(health.bot_start_ts, health.bot_start)) },
      { label: 'Last restart', value: formatUtcOrNa(healthMs(health.bot_startup_ts, health.bot_startup)) },
    ];
    const stale = age === null || age > HEALTH_STALE_MS;
    const blocks: ReplyBlock[] = [{ kind: 'fields', fields }];
    if (stale) {
      blocks.push({
        kind: 'text',
        text: `⚠️ No loop run in the last ${formatDuration(HEALTH_STALE_MS)}: the bot may be stopped or stuck.`,
      });
    }
    return { title: '🩺 Health', tone: stale ? 'warning' : 'info', blocks };
  },
});

// ---------------------------------------------------------------- /version

export const versionCommand = defineCommand({
  name: 'version',
  order: 190,
  description: 'Freqtrade, strategy and API versions',
  usage: '/version',
  role: 'viewer',
  args: z.object({}),
  async run(run) {
    const [version, config] = await Promise.all([
      run.bot.version(),
      settled(run.bot.showConfig(), run.services.logger, 'show_config'),
    ]);
    const strategyVersion = config ? config.strategy_version || STRATEGY_VERSION_NOT_SET : NOT_AVAILABLE;
    return {
      title: 'ℹ️ Version',
      tone: 'info',
      blocks: [
        {
          kind: 'fields',
          fields: [
            { label: 'Freqtrade', value: version.version },
            { label: 'Strategy', value: config?.strategy ?? NOT_AVAILABLE },
            { label: 'Strategy version', value: strategyVersion },
            { label: 'API', value: config ? formatRate(config.api_version) : NOT_AVAILABLE },
          ],
        },
      ],
    };
  },
});

// ---------------------------------------------------------------- /sysinfo

export const sysinfoCommand = defineCommand({
  name: 'sysinfo',
  order: 200,
  description: 'CPU and memory use of the machine running the bot',
  usage: '/sysinfo',
  role: 'viewer',
  args: z.object({}),
  async run(run) {
    const info = await run.bot.sysinfo();
    const perCpu = info.cpu_load?.map((cpu) => cpu.pct) ?? info.cpu_pct;
    const average =
      info.cpu_avg ??
      (perCpu.length > 0 ? perCpu.reduce((sum, value) => sum + value, 0) / perCpu.length : null);
    const cores = info.cpu_count ?? (perCpu.length > 0 ? perCpu.length : null);
    const fields: ReplyField[] = [
      {
        label: 'CPU',
        value: `${orNa(average, formatPlainPercent)}${cores !== null ? ` average over ${plural(cores, 'core')}` : ''}`,
      },
    ];
    if (perCpu.length > 1)
      fields.push({ label: 'Per core', value: perCpu.map(formatPlainPercent).join(', ') });
    const load = info.cpu_load_avg;
    if (load && Object.keys(load).length > 0) {
      fields.push({
        label: 'Load average',
        value: Object.entries(load)
          .map(([window, value]) => `${window} ${value.toFixed(2)}`)
          .join(', '),
      });
    }
    fields.push({ label: 'RAM', value: formatPlainPercent(info.ram_pct) });
    return { title: '🖥️ System', tone: 'info', blocks: [{ kind: 'fields', fields }] };
  },
});
