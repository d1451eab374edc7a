/** Trade routes: status, history, single trades, custom data, force entry / exit, and the reports. */
import { z } from 'zod';
import { type JsonObject, type JsonValue, round } from './json-value.js';
import { splitPair } from './markets.js';
import { pyFloat, pyInt, pyModel, pyStr, pyStrOrInt, pyBool } from './pydantic-errors.js';
import {
  balanceReport,
  countReport,
  performanceReport,
  profitAllReport,
  profitReport,
  statsReport,
  type TagReportKind,
  type TimeUnit,
  tagReport,
  timeUnitReport,
} from './reports.js';
import { marketPairs } from './routes-info.js';
import { DetailError, defineRoute, plainRoute, type Route, type RouteContext, RpcError } from './routing.js';
import type { FakeCustomData, FakeState, FakeTrade } from './state.js';
import { formatIsoNaive } from './time-format.js';
import { addEntry, defaultStake, exitTrade, openTrade } from './trade-lifecycle.js';
import { openTradeJson, rawTradeJson, tradeSchemaJson } from './trade-json.js';
import { currentRateOf, freeStake } from './trade-math.js';
import { cancelMessage, entryMessage, exitMessage } from './ws-messages.js';

/** Freqtrade's `MAX_API_TRADES`: `/trades` never returns more per call. */
const MAX_API_TRADES = 500;

const findTrade = (state: FakeState, id: number): FakeTrade | undefined =>
  state.trades.find((t) => t.id === id);
const openTrades = (state: FakeState): FakeTrade[] =>
  state.trades.filter((t) => t.isOpen).sort((a, b) => a.id - b.id);

/**
 * API versions (`show_config.api_version`, api_v1.py's history) that added a route: a fake set to
 * play an older Freqtrade (`state.apiVersion = 2.4`, as 2024.10) answers 404 "Not Found" there, as
 * a server without the route does. The reference only says 2024.10 (API 2.40) lacks custom data.
 */
const PROFIT_ALL_SINCE_API = 2.43;
const CUSTOM_DATA_SINCE_API = 2.41;

function requireApiVersion(state: FakeState, since: number): void {
  if (state.apiVersion < since) throw new DetailError(404, 'Not Found');
}

function requireRunning(state: FakeState): void {
  if (state.botState === 'stopped') throw new RpcError('trader is not running');
}

// ---------------------------------------------------------------- force entry / exit

const forceEnterInput = z.object({
  body: pyModel('ForceEnterPayload', {
    pair: pyStr(),
    side: z.enum(['long', 'short']).default('long'),
    price: pyFloat().nullish(),
    ordertype: z.enum(['limit', 'market']).nullish(),
    stakeamount: pyFloat().nullish(),
    entry_tag: pyStr().nullish(),
    leverage: pyFloat().nullish(),
  }),
});
type ForceEnterPayload = z.output<typeof forceEnterInput>['body'];

/**
 * `_rpc_force_entry`: refuses like Freqtrade (disabled, not running, short on spot, unknown pair,
 * wrong quote, position open, no slot), answers `{status: "Error entering ..."}` when the wallet
 * cannot pay, else opens (or with position adjustment, adds to) a filled trade and emits
 * `entry` then `entry_fill`.
 */
function forceEnter(ctx: RouteContext, payload: ForceEnterPayload): JsonValue {
  const { state } = ctx;
  if (!state.forceEntryEnabled) throw new RpcError('Force_entry not enabled.');
  if (state.botState !== 'running') throw new RpcError('trader is not running');
  if (payload.side === 'short' && state.tradingMode === 'spot')
    throw new RpcError("Can't go short on Spot markets.");
  if (!marketPairs(state).includes(payload.pair))
    throw new RpcError('Symbol does not exist or market is not active.');
  if (splitPair(payload.pair).quote !== state.stakeCurrency) {
    throw new RpcError(`Wrong pair selected. Only pairs with stake-currency ${state.stakeCurrency} allowed.`);
  }
  const existing = openTrades(state).find((t) => t.pair === payload.pair);
  if (existing) {
    const openOrders = existing.orders.filter((o) => o.status === 'open').map((o) => o.orderId);
    if (openOrders.length > 0) {
      throw new RpcError(
        `position for ${payload.pair} already open - id: ${existing.id} and has open order ${openOrders.join(',')}`,
      );
    }
    if (!state.positionAdjustmentEnabled)
      throw new RpcError(`position for ${payload.pair} already open - id: ${existing.id}`);
  } else if (state.maxOpenTrades >= 0 && openTrades(state).length >= state.maxOpenTrades) {
    throw new RpcError('Maximum number of trades is reached.');
  }
  const free = freeStake(state);
  const stake = payload.stakeamount ?? defaultStake(state, free);
  const sideText = payload.side;
  if (!(stake > 0) || stake * 1.001 > free)
    return { status: `Error entering ${sideText} trade for pair ${payload.pair}.` };
  const rate = payload.price ?? currentRateOf(state, payload.pair);
  const orderType = payload.ordertype ?? 'market';
  const tag = payload.entry_tag ?? 'force_entry';
  const nowMs = ctx.now();
  let trade: FakeTrade;
  if (existing) {
    const order = addEntry(existing, { rate, stake, orderType, atMs: nowMs, tag });
    trade = existing;
    ctx.emit(entryMessage(state, trade, 'entry', order));
    ctx.emit(entryMessage(state, trade, 'entry_fill', order));
  } else {
    trade = openTrade(
      state,
      {
        pair: payload.pair,
        isShort: payload.side === 'short',
        openRate: rate,
        stakeAmount: stake,
        leverage: payload.leverage ?? 1,
        enterTag: tag,
        orderType,
        openedAtMs: nowMs,
      },
      stake,
    );
    ctx.emit(entryMessage(state, trade, 'entry'));
    ctx.emit(entryMessage(state, trade, 'entry_fill'));
  }
  ctx.log(
    'freqtrade.freqtradebot',
    'INFO',
    `${payload.side === 'short' ? 'Short' : 'Long'} signal found: about create a new trade for ${payload.pair} with stake_amount: ${stake} ...`,
  );
  return tradeSchemaJson(state, trade);
}

const forceExitInput = z.object({
  body: pyModel('ForceExitPayload', {
    tradeid: pyStrOrInt(),
    ordertype: z.enum(['limit', 'market']).nullish(),
    amount: pyFloat().nullish(),
    price: pyFloat().nullish(),
  }),
});
type ForceExitPayload = z.output<typeof forceExitInput>['body'];

/** Exits one open trade at the current rate (or `price` for a limit order) and emits `exit` then `exit_fill`. */
function exitOne(
  ctx: RouteContext,
  trade: FakeTrade,
  payload: ForceExitPayload,
  amount: number | undefined,
): void {
  const orderType = payload.ordertype ?? 'market';
  const rate =
    orderType === 'limit' && payload.price !== null && payload.price !== undefined
      ? payload.price
      : currentRateOf(ctx.state, trade.pair);
  const outcome = exitTrade(trade, { rate, amount, exitReason: 'force_exit', orderType, atMs: ctx.now() });
  ctx.emit(exitMessage(ctx.state, outcome, 'exit'));
  ctx.emit(exitMessage(ctx.state, outcome, 'exit_fill'));
  ctx.log(
    'freqtrade.freqtradebot',
    'INFO',
    `Exit for trade ${trade.id} (${trade.pair}) at ${rate}, reason force_exit, profit ${outcome.profit.abs} ${ctx.state.stakeCurrency}`,
  );
}

/** `_rpc_force_exit`: one trade by id (partially when `amount` is smaller), or `"all"`. */
function forceExit(ctx: RouteContext, payload: ForceExitPayload): JsonValue {
  const { state } = ctx;
  requireRunning(state);
  if (payload.tradeid === 'all') {
    for (const trade of openTrades(state)) exitOne(ctx, trade, payload, undefined);
    return { result: 'Created exit orders for all open trades.' };
  }
  const id =
    typeof payload.tradeid === 'number'
      ? payload.tradeid
      : /^\d+$/.test(payload.tradeid)
        ? Number(payload.tradeid)
        : Number.NaN;
  const trade = openTrades(state).find((t) => t.id === id);
  if (!trade) throw new RpcError('invalid argument');
  const amount = payload.amount ?? undefined;
  if (amount !== undefined && amount > 0 && amount < trade.amount) {
    const remaining = round(trade.amount - amount, 10);
    // The exchange's minimum order is worth about 5 USD: a smaller remainder could never be sold.
    const minStake = 5 / (state.fiatRate || 1);
    if (remaining * currentRateOf(state, trade.pair) < minStake) {
      throw new RpcError(`Remaining amount of ${remaining} would be too small.`);
    }
  }
  exitOne(ctx, trade, payload, amount);
  return { result: `Created exit order for trade ${trade.id}.` };
}

// ---------------------------------------------------------------- custom data

function pythonTypeName(value: JsonValue): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    default:
      return 'dict';
  }
}

function customDataJson(item: FakeCustomData): JsonObject {
  return {
    key: item.key,
    type: pythonTypeName(item.value),
    value: item.value,
    created_at: formatIsoNaive(item.createdAtMs),
    updated_at: item.updatedAtMs === null ? null : formatIsoNaive(item.updatedAtMs),
  };
}

const matching = (trade: FakeTrade, key: string | null | undefined): FakeCustomData[] =>
  trade.customData.filter((item) => !key || item.key === key);

const openCustomDataInput = z.object({
  query: z.object({
    key: pyStr().nullish(),
    limit: pyInt({ ge: 1 }).default(100),
    offset: pyInt({ ge: 0 }).default(0),
  }),
});

const tradeCustomDataInput = z.object({
  path: z.object({ trade_id: pyInt() }),
  query: z.object({ key: pyStr().nullish() }),
});

// ---------------------------------------------------------------- routes

const tradeIdInput = z.object({ path: z.object({ tradeid: pyInt() }) });

const tradesInput = z.object({
  query: z.object({
    limit: pyInt({ ge: 1 }).default(MAX_API_TRADES),
    offset: pyInt({ ge: 0 }).default(0),
    order_by_id: pyBool().default(true),
  }),
});

const pairFilterInput = z.object({ query: z.object({ pair: pyStr().nullish() }) });

function tagRoute(path: string, kind: TagReportKind): Route {
  return defineRoute({
    method: 'GET',
    path,
    group: 'trading',
    input: pairFilterInput,
    handle: ({ query }, ctx) => ({ body: tagReport(ctx.state, kind, query.pair ?? undefined) }),
  });
}

function timeUnitRoute(path: string, unit: TimeUnit, defaultScale: number): Route {
  return defineRoute({
    method: 'GET',
    path,
    group: 'trading',
    input: z.object({ query: z.object({ timescale: pyInt({ ge: 1 }).default(defaultScale) }) }),
    handle: ({ query }, ctx) => ({ body: timeUnitReport(ctx.state, unit, query.timescale, ctx.now()) }),
  });
}

function forceEnterRoute(path: string): Route {
  return defineRoute({
    method: 'POST',
    path,
    group: 'trading',
    takesBody: true,
    input: forceEnterInput,
    handle: ({ body }, ctx) => ({ body: forceEnter(ctx, body) }),
  });
}

function forceExitRoute(path: string): Route {
  return defineRoute({
    method: 'POST',
    path,
    group: 'trading',
    takesBody: true,
    input: forceExitInput,
    handle: ({ body }, ctx) => ({ body: forceExit(ctx, body) }),
  });
}

export const tradeRoutes: Route[] = [
  plainRoute('GET', '/balance', 'trading', (ctx) => ({ body: balanceReport(ctx.state) })),
  plainRoute('GET', '/count', 'trading', (ctx) => {
    requireRunning(ctx.state);
    return { body: countReport(ctx.state) };
  }),
  tagRoute('/entries', 'enter_tag'),
  tagRoute('/exits', 'exit_reason'),
  tagRoute('/mix_tags', 'mix_tag'),
  plainRoute('GET', '/performance', 'trading', (ctx) => ({ body: performanceReport(ctx.state) })),
  plainRoute('GET', '/profit', 'trading', (ctx) => ({
    body: profitReport(ctx.state, ctx.state.trades, ctx.now()),
  })),
  plainRoute('GET', '/profit_all', 'trading', (ctx) => {
    requireApiVersion(ctx.state, PROFIT_ALL_SINCE_API);
    return { body: profitAllReport(ctx.state, ctx.now()) };
  }),
  plainRoute('GET', '/stats', 'trading', (ctx) => ({ body: statsReport(ctx.state) })),
  timeUnitRoute('/daily', 'days', 7),
  timeUnitRoute('/weekly', 'weeks', 4),
  timeUnitRoute('/monthly', 'months', 3),
  plainRoute('GET', '/status', 'trading', (ctx) => {
    if (ctx.state.botState === 'stopped') return { body: [] };
    return { body: openTrades(ctx.state).map((t) => openTradeJson(ctx.state, t)) };
  }),
  defineRoute({
    method: 'GET',
    path: '/trades',
    group: 'trading',
    input: tradesInput,
    handle: ({ query }, ctx) => {
      const closed = ctx.state.trades.filter((t) => !t.isOpen);
      const ordered = query.order_by_id
        ? [...closed].sort((a, b) => a.id - b.id)
        : [...closed].sort((a, b) => (b.closeDateMs ?? 0) - (a.closeDateMs ?? 0));
      const page = ordered.slice(query.offset, query.offset + Math.min(query.limit, MAX_API_TRADES));
      return {
        body: {
          trades: page.map((t) => rawTradeJson(ctx.state, t)),
          trades_count: page.length,
          offset: query.offset,
          total_trades: closed.length,
        },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/trade/{tradeid}',
    group: 'trading',
    input: tradeIdInput,
    handle: ({ path }, ctx) => {
      const trade = findTrade(ctx.state, path.tradeid);
      if (!trade) throw new DetailError(404, 'Trade not found.');
      return { body: openTradeJson(ctx.state, trade) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/trades/open/custom-data',
    group: 'trading',
    input: openCustomDataInput,
    handle: ({ query }, ctx) => {
      requireApiVersion(ctx.state, CUSTOM_DATA_SINCE_API);
      const open = openTrades(ctx.state);
      if (open.length === 0) throw new DetailError(404, 'No open trades found.');
      const results: JsonObject[] = [];
      for (const trade of open.slice(query.offset, query.offset + query.limit)) {
        const items = matching(trade, query.key);
        if (items.length === 0) {
          // Freqtrade checks inside the loop: only a miss before any hit answers 404.
          if (results.length > 0) continue;
          throw new DetailError(
            404,
            query.key
              ? `No custom-data with key '${query.key}' found for any open trades.`
              : 'No custom-data found for any open trades.',
          );
        }
        results.push({ trade_id: trade.id, custom_data: items.map(customDataJson) });
      }
      return { body: results };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/trades/{trade_id}/custom-data',
    group: 'trading',
    input: tradeCustomDataInput,
    handle: ({ path, query }, ctx) => {
      requireApiVersion(ctx.state, CUSTOM_DATA_SINCE_API);
      const trade = findTrade(ctx.state, path.trade_id);
      if (!trade) throw new DetailError(404, `No trade found for trade_id: ${path.trade_id}`);
      const items = matching(trade, query.key);
      if (items.length === 0) {
        throw new DetailError(
          404,
          query.key
            ? `No custom-data with key '${query.key}' found for Trade ID: ${trade.id}.`
            : `No custom-data found for Trade ID: ${trade.id}.`,
        );
      }
      return { body: [{ trade_id: trade.id, custom_data: items.map(customDataJson) }] };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/trades/{tradeid}',
    group: 'trading',
    input: tradeIdInput,
    handle: ({ path }, ctx) => {
      const trade = findTrade(ctx.state, path.tradeid);
      if (!trade) throw new RpcError(`Trade with id '${path.tradeid}' not found.`);
      const cancelled = trade.orders.filter((o) => o.status === 'open').length;
      ctx.state.trades.splice(ctx.state.trades.indexOf(trade), 1);
      ctx.log('freqtrade.rpc.rpc', 'INFO', `Deleted trade ${trade.id}.`);
      return {
        body: {
          cancel_order_count: cancelled,
          result: 'success',
          result_msg: `Deleted trade #${trade.id} for pair ${trade.pair}. Closed ${cancelled} open orders.`,
          trade_id: trade.id,
        },
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/trades/{tradeid}/open-order',
    group: 'trading',
    input: tradeIdInput,
    handle: ({ path }, ctx) => {
      requireRunning(ctx.state);
      const trade = findTrade(ctx.state, path.tradeid);
      if (!trade?.isOpen) throw new RpcError('Invalid trade_id.');
      const order = trade.orders.find((o) => o.status === 'open');
      if (!order) throw new RpcError('No open order for trade_id.');
      order.status = 'canceled';
      ctx.emit(cancelMessage(ctx.state, trade, order, ctx.now()));
      if (!trade.orders.some((o) => o.isEntry && o.filled > 0)) {
        // Cancelling the only entry deletes the trade; the status lookup that follows then fails.
        ctx.state.trades.splice(ctx.state.trades.indexOf(trade), 1);
        throw new RpcError('no active trade');
      }
      return { body: openTradeJson(ctx.state, trade) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/trades/{tradeid}/reload',
    group: 'trading',
    input: tradeIdInput,
    handle: ({ path }, ctx) => {
      const trade = findTrade(ctx.state, path.tradeid);
      if (!trade) throw new RpcError(`Could not find trade with id ${path.tradeid}.`);
      return { body: openTradeJson(ctx.state, trade) };
    },
  }),
  forceEnterRoute('/forceenter'),
  forceEnterRoute('/forcebuy'),
  forceExitRoute('/forceexit'),
  forceExitRoute('/forcesell'),
];
