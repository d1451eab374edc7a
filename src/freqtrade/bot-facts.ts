/**
 * What notifications need to know about each bot beyond the websocket payload:
 * - whether it trades in dry run (Freqtrade's messages carry the exchange but not that), and its
 *   timeframe: read from /show_config when the bot's websocket (re)connects, kept until the next
 *   connect; a failed read keeps what was known;
 * - the rate from its stake currency to its fiat display currency. Freqtrade's messages name the
 *   fiat currency but carry no rate (its own Telegram bot asks a price service); we ask no outside
 *   service and use the rate Freqtrade itself reports: /balance's fiat `value` against its stake
 *   `total`, or else /profit's fiat against its coin figures. Read on connect and again in the
 *   background when older than `fiatMaxAgeMs`; a bot that reports no fiat has no rate;
 * - the last candle of the bot's analyzed dataframe for a pair (the signal candle), asked from
 *   /pair_candles with a short timeout, for chats that show it.
 * Nothing here blocks a notification or throws: an answer not known yet is `undefined`.
 */
import type { Fleet } from './fleet.js';
import type { Balances, PairHistory, Profit } from './schemas.js';

/** How a bot's stake currency converts to its fiat display currency, as the bot itself reports it. */
export interface FiatRate {
  /** The fiat display currency, e.g. `'USD'`. */
  currency: string;
  /** The stake currency the rate converts from, e.g. `'USDT'`. */
  stakeCurrency: string;
  /** Fiat per unit of stake currency. */
  rate: number;
}

/** One candle's prices. */
export interface Ohlc {
  open: number;
  high: number;
  low: number;
  close: number;
}

export interface BotFacts {
  /** Reads the bot's /show_config and its fiat rate again; never throws. */
  refresh(bot: string): Promise<void>;
  /** True for dry run, false for live, undefined until /show_config has answered once. */
  dryRun(bot: string): boolean | undefined;
  /** The strategy's timeframe (`'5m'`) from /show_config, undefined until it has answered. */
  timeframe(bot: string): string | undefined;
  /**
   * The last known fiat rate, undefined when the bot reports no fiat or has not answered yet. A
   * rate older than `fiatMaxAgeMs` is still returned while a new one is read in the background.
   */
  fiatRate(bot: string): FiatRate | undefined;
  /** The last candle of the analyzed dataframe for `pair`, or undefined (unknown timeframe, no candle, error, timeout). */
  lastCandle(bot: string, pair: string): Promise<Ohlc | undefined>;
}

export interface BotFactsOptions {
  /** Clock, ms; default `Date.now`. */
  now?: () => number;
  /** A fiat rate older than this is read again (in the background); default 5 minutes. */
  fiatMaxAgeMs?: number;
  /** How long `lastCandle` waits for /pair_candles; default 2 s. */
  candleTimeoutMs?: number;
}

const DEFAULT_FIAT_MAX_AGE_MS = 5 * 60_000;
const DEFAULT_CANDLE_TIMEOUT_MS = 2_000;

const isPositive = (value: number | null | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0;

/** `fiat / coin` when both are finite and non-zero with the same sign, else undefined. */
function ratioOf(fiat: number | null | undefined, coin: number | null | undefined): number | undefined {
  if (typeof fiat !== 'number' || typeof coin !== 'number' || coin === 0 || fiat === 0) return undefined;
  const rate = fiat / coin;
  return isPositive(rate) ? rate : undefined;
}

/**
 * The fiat rate a bot reports: /balance's `value / total` when its fiat `symbol` is set and both are
 * positive, else /profit's `profit_all_fiat / profit_all_coin` (or the closed-trade pair of figures);
 * undefined when the bot shows no fiat (empty symbol, zero values).
 */
export function fiatRateFrom(
  balance: Pick<Balances, 'symbol' | 'value' | 'total' | 'stake'>,
  profit?: Pick<Profit, 'profit_all_fiat' | 'profit_all_coin' | 'profit_closed_fiat' | 'profit_closed_coin'>,
): FiatRate | undefined {
  const currency = balance.symbol.trim();
  if (!currency || !balance.stake) return undefined;
  const rate =
    (isPositive(balance.value) && isPositive(balance.total) ? balance.value / balance.total : undefined) ??
    ratioOf(profit?.profit_all_fiat, profit?.profit_all_coin) ??
    ratioOf(profit?.profit_closed_fiat, profit?.profit_closed_coin);
  return rate === undefined ? undefined : { currency, stakeCurrency: balance.stake, rate };
}

/** The last row of a /pair_candles answer as OHLC, or undefined when it has no rows or no price columns. */
export function lastCandleOf(history: Pick<PairHistory, 'columns' | 'data'>): Ohlc | undefined {
  const row = history.data.at(-1);
  if (!row) return undefined;
  const value = (column: string): number | undefined => {
    const index = history.columns.indexOf(column);
    const cell = index < 0 ? undefined : row[index];
    return typeof cell === 'number' && Number.isFinite(cell) ? cell : undefined;
  };
  const [open, high, low, close] = [value('open'), value('high'), value('low'), value('close')];
  if (open === undefined || high === undefined || low === undefined || close === undefined) return undefined;
  return { open, high, low, close };
}

/** Resolves with the promise's value, or undefined after `ms` (the promise keeps running, its result ignored). */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref?.();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createBotFacts(fleet: Fleet, options: BotFactsOptions = {}): BotFacts {
  const now = options.now ?? Date.now;
  const fiatMaxAgeMs = options.fiatMaxAgeMs ?? DEFAULT_FIAT_MAX_AGE_MS;
  const candleTimeoutMs = options.candleTimeoutMs ?? DEFAULT_CANDLE_TIMEOUT_MS;
  const dryRun = new Map<string, boolean>();
  const timeframes = new Map<string, string>();
  /** Per bot: the rate (undefined = the bot reports none) and when it was read. */
  const fiat = new Map<string, { rate: FiatRate | undefined; atMs: number }>();
  /** Reads in flight, so a burst of notifications starts one. */
  const fiatReads = new Map<string, Promise<void>>();

  async function readConfig(bot: string): Promise<void> {
    try {
      const answer = await fleet.get(bot).showConfig();
      dryRun.set(bot, answer.dry_run);
      if (answer.timeframe) timeframes.set(bot, answer.timeframe);
    } catch {
      // The client logged it; the marker keeps its last known value.
    }
  }

  /** Reads the rate; a read already running is joined, or with `fresh` waited for and then done again. */
  async function readFiat(bot: string, fresh = false): Promise<void> {
    const running = fiatReads.get(bot);
    if (running && !fresh) return running;
    const read = (async () => {
      // A read that started before a reconnect may have seen the old answer: do one after it.
      if (running) await running;
      try {
        const client = fleet.get(bot);
        const balance = await client.balance();
        let rate = fiatRateFrom(balance);
        if (!rate && balance.symbol.trim()) rate = fiatRateFrom(balance, await client.profit());
        fiat.set(bot, { rate, atMs: now() });
      } catch {
        // The client logged it; the last known rate (if any) stays, and is tried again when it is old.
        fiat.set(bot, { rate: fiat.get(bot)?.rate, atMs: now() });
      }
    })();
    fiatReads.set(bot, read);
    // Never rejects (every error is caught above).
    void read.then(() => {
      if (fiatReads.get(bot) === read) fiatReads.delete(bot);
    });
    return read;
  }

  return {
    async refresh(bot) {
      await Promise.all([readConfig(bot), readFiat(bot, true)]);
    },
    dryRun(bot) {
      return dryRun.get(bot);
    },
    timeframe(bot) {
      return timeframes.get(bot);
    },
    fiatRate(bot) {
      const known = fiat.get(bot);
      if (!known || now() - known.atMs > fiatMaxAgeMs) void readFiat(bot);
      return known?.rate;
    },
    async lastCandle(bot, pair) {
      const timeframe = timeframes.get(bot);
      if (!timeframe) return undefined;
      try {
        const history = await withinMs(
          fleet.get(bot).pairCandles({ pair, timeframe, limit: 1 }),
          candleTimeoutMs,
        );
        return history ? lastCandleOf(history) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
