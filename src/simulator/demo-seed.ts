/**
 * The `demo` seed: a week-old dry-run bot with six closed trades spread over the last days, three
 * open trades (two up, one down), a pair lock, an expired global lock, a small blacklist and
 * custom data on one trade. Prices derive from the reference prices, so any stake currency works.
 */
import { appendLog, createEmptyState, type FakeState } from './state.js';
import { defaultRate } from './markets.js';
import { defaultStake, exitTrade, openTrade } from './trade-lifecycle.js';
import { freeStake, stopLossRate } from './trade-math.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface ClosedSpec {
  pairIndex: number;
  openedAgoMs: number;
  durationMs: number;
  /** Close rate relative to the open rate (ignored for stop-loss exits). */
  move: number;
  exitReason: string;
  enterTag: string | null;
}

interface OpenSpec {
  pairIndex: number;
  openedAgoMs: number;
  /** Open rate relative to today's rate: 0.988 = bought 1.2 % cheaper than now. */
  entryFactor: number;
  enterTag: string | null;
}

const CLOSED: readonly ClosedSpec[] = [
  {
    pairIndex: 3,
    openedAgoMs: 6 * DAY + 5 * HOUR,
    durationMs: 3 * HOUR + 10 * MINUTE,
    move: 1.023,
    exitReason: 'roi',
    enterTag: 'rsi_cross',
  },
  {
    pairIndex: 4,
    openedAgoMs: 5 * DAY + 2 * HOUR,
    durationMs: 9 * HOUR + 25 * MINUTE,
    move: 0.9,
    exitReason: 'stop_loss',
    enterTag: 'rsi_cross',
  },
  {
    pairIndex: 5,
    openedAgoMs: 4 * DAY + 7 * HOUR,
    durationMs: HOUR + 40 * MINUTE,
    move: 1.015,
    exitReason: 'exit_signal',
    enterTag: 'ema_breakout',
  },
  {
    pairIndex: 6,
    openedAgoMs: 2 * DAY + 3 * HOUR,
    durationMs: 25 * MINUTE,
    move: 1.042,
    exitReason: 'roi',
    enterTag: 'ema_breakout',
  },
  {
    pairIndex: 7,
    openedAgoMs: DAY + 4 * HOUR,
    durationMs: 5 * HOUR + 5 * MINUTE,
    move: 1.034,
    exitReason: 'trailing_stop_loss',
    enterTag: null,
  },
  {
    pairIndex: 1,
    openedAgoMs: 10 * HOUR,
    durationMs: 2 * HOUR + 12 * MINUTE,
    move: 0.996,
    exitReason: 'force_exit',
    enterTag: 'force_entry',
  },
];

const OPEN: readonly OpenSpec[] = [
  // A position held for days: opened first, so it is trade #1 (the demo's `/forceexit 1` finds it open).
  { pairIndex: 0, openedAgoMs: 6 * DAY + 8 * HOUR, entryFactor: 0.988, enterTag: 'ema_breakout' },
  { pairIndex: 1, openedAgoMs: 45 * MINUTE, entryFactor: 1.012, enterTag: 'rsi_cross' },
  { pairIndex: 2, openedAgoMs: 20 * MINUTE, entryFactor: 0.994, enterTag: null },
];

const sig = (n: number): number => Number(n.toPrecision(6));

/** A state seeded with believable history (see the module comment). */
export function createDemoState(opts: { botName: string; stakeCurrency: string; nowMs: number }): FakeState {
  const state = createEmptyState({ ...opts, nowMs: opts.nowMs - 7 * DAY });
  state.blacklist = [`TRX/${opts.stakeCurrency}`, `LUNA/.*`];
  const pairAt = (index: number): string =>
    state.whitelist[index % state.whitelist.length] ?? `BTC/${opts.stakeCurrency}`;

  const openFromSpec = (spec: OpenSpec): void => {
    const pair = pairAt(spec.pairIndex);
    const openedAt = opts.nowMs - spec.openedAgoMs;
    const trade = openTrade(
      state,
      {
        pair,
        openRate: sig(defaultRate(pair) * spec.entryFactor),
        enterTag: spec.enterTag,
        openedAtMs: openedAt,
      },
      defaultStake(state, freeStake(state)),
    );
    trade.minRate = Math.min(trade.openRate, defaultRate(pair)) * 0.997;
    trade.maxRate = Math.max(trade.openRate, defaultRate(pair)) * 1.002;
    appendLog(
      state,
      openedAt,
      'freqtrade.freqtradebot',
      'INFO',
      `Long signal found: about create a new trade for ${pair}`,
    );
    if (spec.pairIndex === 0) {
      trade.customData.push(
        { key: 'entry_signal_strength', value: 0.82, createdAtMs: openedAt + 1000, updatedAtMs: null },
        { key: 'dca_count', value: 0, createdAtMs: openedAt + 1000, updatedAtMs: opts.nowMs - 30 * MINUTE },
      );
    }
  };

  const [heldForDays, ...recentOpen] = OPEN;
  if (heldForDays) openFromSpec(heldForDays);

  for (const spec of CLOSED) {
    const pair = pairAt(spec.pairIndex);
    const openedAt = opts.nowMs - spec.openedAgoMs;
    const openRate = sig(defaultRate(pair) * (0.97 + (spec.pairIndex % 5) * 0.01));
    const trade = openTrade(
      state,
      { pair, openRate, enterTag: spec.enterTag, openedAtMs: openedAt },
      defaultStake(state, freeStake(state)),
    );
    const rate = spec.exitReason === 'stop_loss' ? stopLossRate(trade) : sig(openRate * spec.move);
    exitTrade(trade, {
      rate,
      exitReason: spec.exitReason,
      orderType: 'limit',
      atMs: openedAt + spec.durationMs,
    });
    appendLog(
      state,
      openedAt + spec.durationMs,
      'freqtrade.freqtradebot',
      'INFO',
      `Exit for ${pair} detected. Reason: ${spec.exitReason}`,
    );
  }

  for (const spec of recentOpen) openFromSpec(spec);

  const lockedPair = pairAt(4);
  state.locks.push(
    {
      id: 1,
      pair: '*',
      side: '*',
      reason: 'MaxDrawdown',
      lockTimeMs: opts.nowMs - 5 * DAY,
      lockEndTimeMs: opts.nowMs - 5 * DAY + 2 * HOUR,
      active: true,
    },
    {
      id: 2,
      pair: lockedPair,
      side: '*',
      reason: 'StoplossGuard',
      lockTimeMs: opts.nowMs - 10 * MINUTE,
      lockEndTimeMs: Math.ceil((opts.nowMs + 50 * MINUTE) / (5 * MINUTE)) * 5 * MINUTE,
      active: true,
    },
  );
  state.logs.sort((a, b) => a[1] - b[1]);
  return state;
}
