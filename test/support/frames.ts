/**
 * Websocket frames as Freqtrade sends them (shared/freqtrade-api.md "Example frames"), for tests
 * that push events through a fake Freqtrade. Defaults are the reference entry frame's values.
 */

/** An entry/exit-family frame for one trade; `extra` adds or overrides fields. */
export function tradeFrame(type: string, tradeId: number, pair: string, extra: Record<string, unknown> = {}) {
  const [base = 'ETH', quote = 'USDT'] = pair.split('/');
  return {
    type,
    trade_id: tradeId,
    buy_tag: 'breakout',
    enter_tag: 'breakout',
    exchange: 'Binance',
    pair,
    base_currency: base,
    quote_currency: quote,
    leverage: 1.0,
    direction: 'Long',
    limit: 3050.5,
    order_rate: 3050.5,
    open_rate: 3050.5,
    order_type: 'limit',
    stake_amount: 100.0,
    stake_currency: quote,
    fiat_currency: 'USD',
    amount: 0.03278,
    open_date: '2026-11-22T09:00:01.120000+00:00',
    current_rate: 3051.2,
    sub_trade: false,
    ...extra,
  };
}

/** A final `exit_fill` with the given profit ratio (gain, amounts and close rate consistent with it). */
export function exitFillFrame(tradeId: number, pair: string, exitReason: string, profitRatio: number) {
  return tradeFrame('exit_fill', tradeId, pair, {
    cumulative_profit: 100 * profitRatio,
    gain: profitRatio >= 0 ? 'profit' : 'loss',
    close_rate: 3050.5 * (1 + profitRatio),
    profit_amount: 100 * profitRatio,
    profit_ratio: profitRatio,
    exit_reason: exitReason,
    close_date: '2026-11-22T13:47:10.400000+00:00',
    final_profit_ratio: profitRatio,
    is_final_exit: true,
  });
}
