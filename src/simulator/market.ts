/**
 * Believable activity for the demo's simulated Freqtrade: prices of open trades drift, trades
 * exit by ROI or stop-loss, new trades open on whitelisted pairs, and now and then the whitelist
 * changes; each change is published on the fake's message websocket as Freqtrade would.
 */
import type { FakeFreqtrade } from './freqtrade-server.js';
import { listedMarkets, unitHash } from './markets.js';
import type { FakeState, FakeTrade } from './state.js';
import { currentRateOf, profitAt } from './trade-math.js';
import type { ExitOutcome } from './trade-lifecycle.js';
import { entryMessage, exitMessage } from './ws-messages.js';

export interface MarketOptions {
  /** Time between two market steps. */
  tickMs?: number;
  /** Source of randomness in [0, 1); pass `seededRandom(...)` for a repeatable market. */
  random?: () => number;
  /**
   * A trade may exit by ROI or stop-loss only after it has seen this many steps, so a trade
   * that a person is looking at does not vanish the moment the demo starts.
   */
  minTradeAgeTicks?: number;
}

export interface Market {
  /** Runs one market step now (tests drive the market with this instead of timers). */
  tick(): void;
  /** Stops the timer; no step runs afterwards. */
  stop(): void;
}

/** The market's knobs in one place, with the reason beside each. */
const DEFAULTS = {
  tickMs: 2000,
  random: Math.random,
  // Three steps of 2 s: the first few commands of the demo see the trades they were shown.
  minTradeAgeTicks: 3,
} satisfies Required<MarketOptions>;

/** Standard deviation of one step's relative price move: 0.35 %, lively but not absurd. */
const STEP_VOLATILITY = 0.0035;
/** Minimal ROI of the simulated strategy: take profit at +1.5 %. */
const ROI_RATIO = 0.015;
/** Where the simulated strategy's stop-loss triggers: -3 %. */
const STOP_LOSS_RATIO = -0.03;
/** Chance per step that a trade past its ROI exits now (Freqtrade checks once per candle, not instantly). */
const EXIT_CHANCE = 0.5;
/** Chance per step that one new trade opens while there is a free slot. */
const ENTRY_CHANCE = 0.12;
/** Chance per step that the pairlist refresh swaps one pair. */
const WHITELIST_CHANGE_CHANCE = 0.015;
const ENTRY_TAGS = ['ema_cross', 'rsi_dip', 'bb_breakout', null] as const;

/**
 * A small seeded pseudo-random generator (mulberry32) in [0, 1): the same seed gives the same
 * sequence, so the demo market behaves the same on every run.
 */
export function seededRandom(seed: string): () => number {
  let state = Math.floor(unitHash(seed) * 4_294_967_296) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A roughly normal number with mean 0 and standard deviation 1 (sum of 4 uniforms, rescaled). */
function roughlyNormal(random: () => number): number {
  return (random() + random() + random() + random() - 2) * Math.sqrt(3);
}

/** Significant digits kept for a simulated price: what an exchange's tick size would allow. */
function roundRate(rate: number): number {
  return Number(rate.toPrecision(6));
}

/** Starts moving the fake's market every `tickMs` (timer unref'd, so it never keeps the process alive). */
export function startMarket(fake: FakeFreqtrade, options: MarketOptions = {}): Market {
  const tickMs = options.tickMs ?? DEFAULTS.tickMs;
  const random = options.random ?? DEFAULTS.random;
  const minAgeTicks = options.minTradeAgeTicks ?? DEFAULTS.minTradeAgeTicks;
  /** Steps each open trade has seen, by trade id. */
  const ages = new Map<number, number>();
  let stopped = false;

  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];

  const openTrades = (state: FakeState) => state.trades.filter((trade) => trade.isOpen);

  const walkPrices = (state: FakeState, trades: FakeTrade[]) => {
    const pairs = [...new Set(trades.map((trade) => trade.pair))].sort();
    for (const pair of pairs) {
      const move = roughlyNormal(random) * STEP_VOLATILITY;
      fake.setCurrentRate(pair, roundRate(currentRateOf(state, pair) * (1 + move)));
    }
  };

  const exitIfDue = (state: FakeState, trade: FakeTrade) => {
    const age = (ages.get(trade.id) ?? 0) + 1;
    ages.set(trade.id, age);
    if (age <= minAgeTicks || state.botState === 'stopped') return;
    const rate = currentRateOf(state, trade.pair);
    const { ratio } = profitAt(trade, rate);
    const reason = ratio >= ROI_RATIO ? 'roi' : ratio <= STOP_LOSS_RATIO ? 'stop_loss' : null;
    if (reason === null || random() >= EXIT_CHANCE) return;
    // `closeTrade` emits nothing and returns nothing: note what the messages need before it runs.
    const amount = trade.amount;
    const profit = profitAt(trade, rate, amount);
    const realizedBefore = trade.realizedProfit;
    fake.closeTrade(trade.id, { closeRate: rate, exitReason: reason });
    ages.delete(trade.id);
    const exitOrder = trade.orders.findLast((order) => !order.isEntry);
    const outcome: ExitOutcome = {
      trade,
      rate,
      amount,
      profit,
      subTrade: false,
      orderType: exitOrder?.orderType ?? 'limit',
      exitReason: reason,
      closeDateMs: trade.closeDateMs ?? fake.now(),
      realizedBefore,
    };
    fake.emit(exitMessage(state, outcome, 'exit'));
    fake.emit(exitMessage(state, outcome, 'exit_fill'));
  };

  const maybeEnter = (state: FakeState) => {
    if (state.botState !== 'running' || random() >= ENTRY_CHANCE) return;
    const open = openTrades(state);
    if (state.maxOpenTrades >= 0 && open.length >= state.maxOpenTrades) return;
    const now = fake.now();
    const busy = new Set(open.map((trade) => trade.pair));
    const locked = new Set(
      state.locks.filter((lock) => lock.active && lock.lockEndTimeMs > now).map((lock) => lock.pair),
    );
    if (locked.has('*')) return;
    const free = state.whitelist.filter(
      (pair) => !busy.has(pair) && !locked.has(pair) && !state.blacklist.includes(pair),
    );
    const pair = pick(free);
    if (pair === undefined) return;
    const enterTag = pick(ENTRY_TAGS) ?? null;
    const id = fake.addTrade({ pair, ...(enterTag ? { enterTag } : {}) });
    const trade = state.trades.find((t) => t.id === id);
    if (!trade) return;
    fake.emit(entryMessage(state, trade, 'entry'));
    fake.emit(entryMessage(state, trade, 'entry_fill'));
  };

  const maybeChangeWhitelist = (state: FakeState) => {
    // A stopped bot does not refresh its pairlist.
    if (state.botState === 'stopped' || random() >= WHITELIST_CHANGE_CHANCE) return;
    const busy = new Set(openTrades(state).map((trade) => trade.pair));
    const removable = state.whitelist.filter((pair) => !busy.has(pair));
    const candidates = listedMarkets(state.stakeCurrency).filter(
      (pair) =>
        pair.endsWith(`/${state.stakeCurrency}`) &&
        !state.whitelist.includes(pair) &&
        !state.blacklist.includes(pair),
    );
    const out = pick(removable);
    const into = pick(candidates);
    if (out === undefined || into === undefined) return;
    state.whitelist = state.whitelist.map((pair) => (pair === out ? into : pair));
    fake.emit({ type: 'whitelist', data: [...state.whitelist] });
  };

  const tick = () => {
    if (stopped) return;
    // Read on every step: a test may replace `fake.state` wholesale.
    const state = fake.state;
    const trades = openTrades(state);
    // Forget trades closed elsewhere (a /forceexit): ids are never reused.
    for (const id of ages.keys()) if (!trades.some((trade) => trade.id === id)) ages.delete(id);
    walkPrices(state, trades);
    for (const trade of trades) exitIfDue(state, trade);
    maybeEnter(state);
    maybeChangeWhitelist(state);
  };

  const timer = setInterval(tick, tickMs);
  timer.unref();

  return {
    tick,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
