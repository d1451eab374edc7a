/** Pairlist, lock, candle and bot-control routes. */
import { z } from 'zod';
import { CACHED_CANDLES, type Candle, pairHistoryJson, synthCandles } from './candles.js';
import type { JsonObject } from './json-value.js';
import { pyAwareDatetime, pyInt, pyList, pyModel, pyStr } from './pydantic-errors.js';
import { marketPairs } from './routes-info.js';
import { defineRoute, plainRoute, type Route, type RouteContext } from './routing.js';
import type { FakeLock, FakeState } from './state.js';
import { formatDt, timeframeToMs } from './time-format.js';
import { currentRateOf } from './trade-math.js';

const PAIRLIST_METHODS = ['StaticPairList'];

/** Freqtrade's `expand_pairlist`: each entry is a case-insensitive full-match regex over `available`. */
function expandPairlist(entries: readonly string[], available: readonly string[]): string[] {
  const result: string[] = [];
  for (const entry of entries) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${entry})$`, 'i');
    } catch {
      continue;
    }
    for (const pair of available.filter((p) => pattern.test(p)).sort())
      if (!result.includes(pair)) result.push(pair);
  }
  return result;
}

function isValidWildcard(entry: string): boolean {
  try {
    new RegExp(entry);
    return true;
  } catch {
    return false;
  }
}

function blacklistJson(state: FakeState, errors: JsonObject = {}): JsonObject {
  return {
    blacklist: [...state.blacklist],
    blacklist_expanded: expandPairlist(state.blacklist, marketPairs(state)),
    errors,
    length: state.blacklist.length,
    method: [...PAIRLIST_METHODS],
  };
}

export function lockJson(lock: FakeLock): JsonObject {
  return {
    id: lock.id,
    active: lock.active,
    lock_end_time: formatDt(lock.lockEndTimeMs),
    lock_end_timestamp: lock.lockEndTimeMs,
    lock_time: formatDt(lock.lockTimeMs),
    lock_timestamp: lock.lockTimeMs,
    pair: lock.pair,
    side: lock.side,
    reason: lock.reason,
  };
}

/** `Locks`: the locks that are active and not yet expired at `nowMs`. */
export function locksJson(state: FakeState, nowMs: number): JsonObject {
  const locks = state.locks.filter((lock) => lock.active && lock.lockEndTimeMs > nowMs).map(lockJson);
  return { lock_count: locks.length, locks };
}

function deactivate(lock: FakeLock, nowMs: number): void {
  lock.active = false;
  lock.lockEndTimeMs = Math.min(lock.lockEndTimeMs, nowMs);
}

const blacklistPostInput = z.object({ body: pyModel('BlacklistPayload', { blacklist: pyList(pyStr()) }) });
const blacklistDeleteInput = z.object({ query: z.object({ pairs_to_delete: pyList(pyStr()).default([]) }) });

const locksPostInput = z.object({
  body: pyList(
    pyModel('LocksPayload', {
      pair: pyStr(),
      side: pyStr().default('*'),
      until: pyAwareDatetime(),
      reason: pyStr().nullish(),
    }),
  ),
});
const lockIdInput = z.object({ path: z.object({ lockid: pyInt() }) });
const locksDeleteInput = z.object({
  body: pyModel('DeleteLockRequest', { pair: pyStr().nullish(), lockid: pyInt().nullish() }),
});

const pairCandlesGetInput = z.object({
  query: z.object({ pair: pyStr(), timeframe: pyStr(), limit: pyInt().nullish() }),
});
const pairCandlesPostInput = z.object({
  body: pyModel('PairCandlesRequest', {
    pair: pyStr(),
    timeframe: pyStr(),
    limit: pyInt().nullish(),
    columns: pyList(pyStr()).nullish(),
  }),
});

/**
 * The analyzed dataframe of `pair`: only the strategy timeframe of whitelisted or traded pairs is
 * cached; anything else comes back empty, as from a real bot.
 */
export function analyzedCandles(
  state: FakeState,
  pair: string,
  timeframe: string,
  nowMs: number,
  limit?: number | null,
): { timeframeMs: number; candles: Candle[] } {
  const timeframeMs = timeframeToMs(timeframe);
  const cached =
    timeframe === state.timeframe &&
    (state.whitelist.includes(pair) || state.trades.some((t) => t.isOpen && t.pair === pair));
  if (!cached || timeframeMs === undefined) return { timeframeMs: timeframeMs ?? 0, candles: [] };
  const count =
    limit === null || limit === undefined ? CACHED_CANDLES : Math.max(0, Math.min(limit, CACHED_CANDLES));
  const candles =
    count === 0
      ? []
      : synthCandles({ pair, timeframeMs, nowMs, lastRate: currentRateOf(state, pair), count });
  return { timeframeMs, candles };
}

function pairCandles(
  ctx: RouteContext,
  req: {
    pair: string;
    timeframe: string;
    limit?: number | null | undefined;
    columns?: string[] | null | undefined;
  },
): JsonObject {
  const { timeframeMs, candles } = analyzedCandles(ctx.state, req.pair, req.timeframe, ctx.now(), req.limit);
  return pairHistoryJson({
    strategy: ctx.state.strategy,
    pair: req.pair,
    timeframe: req.timeframe,
    timeframeMs,
    candles,
    columns: req.columns,
    analyzedAtMs: ctx.now() - 1000,
    apiVersion: ctx.state.apiVersion,
  });
}

const PAUSED_TEXT = 'paused, no more entries will occur from now. Run /start to enable entries.';

/** `/pause` and its aliases: RUNNING or PAUSED → paused text, STOPPED → "starting bot ... paused". */
function pause(ctx: RouteContext): { status: string } {
  const previous = ctx.state.botState;
  setBotState(ctx, 'paused');
  if (previous === 'stopped') {
    return {
      status:
        'starting bot with trader in paused state, no entries will occur. Run /start to enable entries.',
    };
  }
  return { status: PAUSED_TEXT };
}

/** Changes the bot state; on a change the worker announces it with a `status` message (and stopping with open trades warns). */
function setBotState(ctx: RouteContext, next: FakeState['botState']): void {
  const { state } = ctx;
  const previous = state.botState;
  if (previous === next) return;
  state.botState = next;
  ctx.log(
    'freqtrade.worker',
    'INFO',
    `Changing state from ${previous.toUpperCase()} to: ${next.toUpperCase()}`,
  );
  ctx.emit({ type: 'status', status: next });
  const open = state.trades.filter((t) => t.isOpen).length;
  if (next === 'stopped' && open > 0) {
    ctx.emit({
      type: 'warning',
      status:
        `${open} open trades active.\n\nHandle these trades manually on ${state.exchange.charAt(0).toUpperCase()}${state.exchange.slice(1)}, ` +
        "or '/start' the bot again and use '/stopentry' to handle open trades gracefully. \n" +
        (state.dryRun ? 'Note: Trades are simulated (dry run).' : ''),
    });
  }
}

function pauseRoute(path: string): Route {
  return plainRoute('POST', path, 'trading', (ctx) => ({ body: pause(ctx) }));
}

export const controlRoutes: Route[] = [
  plainRoute('GET', '/blacklist', 'trading', (ctx) => ({ body: blacklistJson(ctx.state) })),
  defineRoute({
    method: 'POST',
    path: '/blacklist',
    group: 'trading',
    takesBody: true,
    input: blacklistPostInput,
    handle: ({ body }, ctx) => {
      const errors: JsonObject = {};
      for (const pair of body.blacklist) {
        if (ctx.state.blacklist.includes(pair))
          errors[pair] = { error_msg: `Pair ${pair} already in pairlist.` };
        else if (!isValidWildcard(pair))
          errors[pair] = { error_msg: `Pair ${pair} is not a valid wildcard.` };
        else ctx.state.blacklist.push(pair);
      }
      return { body: blacklistJson(ctx.state, errors) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/blacklist',
    group: 'trading',
    input: blacklistDeleteInput,
    listQueryKeys: ['pairs_to_delete'],
    handle: ({ query }, ctx) => {
      const errors: JsonObject = {};
      for (const pair of query.pairs_to_delete) {
        const index = ctx.state.blacklist.indexOf(pair);
        if (index < 0) errors[pair] = { error_msg: `Pair ${pair} is not in the current blacklist.` };
        else ctx.state.blacklist.splice(index, 1);
      }
      return { body: blacklistJson(ctx.state, errors) };
    },
  }),
  plainRoute('GET', '/whitelist', 'trading', (ctx) => ({
    body: {
      whitelist: [...ctx.state.whitelist],
      length: ctx.state.whitelist.length,
      method: [...PAIRLIST_METHODS],
    },
  })),
  plainRoute('GET', '/locks', 'trading', (ctx) => ({ body: locksJson(ctx.state, ctx.now()) })),
  defineRoute({
    method: 'POST',
    path: '/locks',
    group: 'trading',
    takesBody: true,
    input: locksPostInput,
    handle: ({ body }, ctx) => {
      const timeframeMs = timeframeToMs(ctx.state.timeframe) ?? 300_000;
      for (const payload of body) {
        const id = ctx.state.locks.reduce((max, lock) => Math.max(max, lock.id), 0) + 1;
        ctx.state.locks.push({
          id,
          pair: payload.pair,
          side: payload.side,
          reason: payload.reason ?? null,
          lockTimeMs: ctx.now(),
          // Rounded up to the next candle of the strategy timeframe, as `timeframe_to_next_date` does.
          lockEndTimeMs: (Math.floor(payload.until / timeframeMs) + 1) * timeframeMs,
          active: true,
        });
      }
      return { body: locksJson(ctx.state, ctx.now()) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/locks/{lockid}',
    group: 'trading',
    input: lockIdInput,
    handle: ({ path }, ctx) => {
      const lock = ctx.state.locks.find((l) => l.id === path.lockid);
      if (lock) deactivate(lock, ctx.now());
      return { body: locksJson(ctx.state, ctx.now()) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/locks/delete',
    group: 'trading',
    takesBody: true,
    input: locksDeleteInput,
    handle: ({ body }, ctx) => {
      const now = ctx.now();
      if (body.lockid !== null && body.lockid !== undefined) {
        const lock = ctx.state.locks.find((l) => l.id === body.lockid);
        if (lock) deactivate(lock, now);
      } else if (body.pair) {
        for (const lock of ctx.state.locks) if (lock.pair === body.pair && lock.active) deactivate(lock, now);
      }
      return { body: locksJson(ctx.state, now) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/pair_candles',
    group: 'trading',
    input: pairCandlesGetInput,
    handle: ({ query }, ctx) => ({ body: pairCandles(ctx, query) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/pair_candles',
    group: 'trading',
    takesBody: true,
    input: pairCandlesPostInput,
    handle: ({ body }, ctx) => ({ body: pairCandles(ctx, body) }),
  }),
  plainRoute('POST', '/start', 'trading', (ctx) => {
    if (ctx.state.botState === 'running') return { body: { status: 'already running' } };
    setBotState(ctx, 'running');
    return { body: { status: 'starting trader ...' } };
  }),
  plainRoute('POST', '/stop', 'trading', (ctx) => {
    if (ctx.state.botState === 'stopped') return { body: { status: 'already stopped' } };
    setBotState(ctx, 'stopped');
    return { body: { status: 'stopping trader ...' } };
  }),
  pauseRoute('/pause'),
  pauseRoute('/stopentry'),
  pauseRoute('/stopbuy'),
  plainRoute('POST', '/reload_config', 'trading', (ctx) => {
    // The worker rebuilds the bot from its config, whose initial_state is "running".
    ctx.state.botState = 'running';
    ctx.log('freqtrade.worker', 'INFO', 'Reloading configuration');
    ctx.emit({ type: 'status', status: 'running after config reloaded' });
    return { body: { status: 'Reloading config ...' } };
  }),
];
