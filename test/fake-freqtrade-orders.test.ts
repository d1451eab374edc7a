/**
 * The fake Freqtrade's helpers for order-sanity tests: pricing failures, open orders, dry run vs
 * live and the free stake, each checked through the REST answers a client sees.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { callApi, type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';

let fake: FakeFreqtrade | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

type Json = Record<string, unknown>;

async function started(): Promise<FakeFreqtrade> {
  fake = await startFakeFreqtrade();
  return fake;
}

describe('fake Freqtrade order helpers', () => {
  it('a pricing failure nulls the current rate and every profit of open trades, as NaN does', async () => {
    const f = await started();
    const id = f.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    f.setPricingFailure('BTC/USDT', true);
    const [trade] = (await callApi(f, '/status')).body as Json[];
    for (const key of [
      'current_rate',
      'profit_ratio',
      'profit_abs',
      'total_profit_abs',
      'stoploss_current_dist',
    ])
      expect(trade?.[key], key).toBeNull();
    expect(trade?.['open_rate']).toBe(100);
    f.setPricingFailure('BTC/USDT', false);
    const single = (await callApi(f, `/trade/${id}`)).body as Json;
    expect(single['current_rate']).toBe(101);
  });

  it('an open exit order shows in the trade and can be cancelled once', async () => {
    const f = await started();
    const id = f.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101, amount: 2 });
    const orderId = f.addOpenOrder(id, { amount: 1, rate: 105 });
    const trade = (await callApi(f, `/trade/${id}`)).body as Json;
    expect(trade['has_open_orders']).toBe(true);
    expect(trade['orders']).toContainEqual(
      expect.objectContaining({
        order_id: orderId,
        ft_order_side: 'sell',
        order_type: 'limit',
        is_open: true,
        amount: 1,
        filled: 0,
        remaining: 1,
        safe_price: 105,
      }),
    );
    expect((await callApi(f, `/trades/${id}/open-order`, { method: 'DELETE' })).status).toBe(200);
    const again = await callApi(f, `/trades/${id}/open-order`, { method: 'DELETE' });
    expect(again).toMatchObject({
      status: 502,
      body: { error: `Error querying /api/v1/trades/${id}/open-order: No open order for trade_id.` },
    });
  });

  it('live mode changes dry_run, runmode and the balance note', async () => {
    const f = await started();
    f.setDryRun(false);
    expect((await callApi(f, '/show_config')).body).toMatchObject({ dry_run: false, runmode: 'live' });
    expect((await callApi(f, '/balance')).body).toMatchObject({ note: '' });
    f.setDryRun(true);
    expect((await callApi(f, '/show_config')).body).toMatchObject({ dry_run: true, runmode: 'dry_run' });
  });

  it('setFreeStake sets what /balance reports free in the stake currency, open trades included', async () => {
    const f = await started();
    f.addTrade({ pair: 'ETH/USDT', openRate: 2000, currentRate: 2000, stakeAmount: 100 });
    f.setFreeStake(42.5);
    const balances = (await callApi(f, '/balance')).body as { currencies: Json[] };
    expect(balances.currencies.find((row) => row['currency'] === 'USDT')?.['free']).toBe(42.5);
  });

  it('a closed trade is still found by /trade/{id} and can be deleted', async () => {
    const f = await started();
    const id = f.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    f.closeTrade(id, { closeRate: 102 });
    expect((await callApi(f, `/trade/${id}`)).body).toMatchObject({ is_open: false, current_rate: 102 });
    expect((await callApi(f, `/trades/${id}`, { method: 'DELETE' })).body).toMatchObject({
      result: 'success',
      trade_id: id,
    });
    expect((await callApi(f, `/trade/${id}`)).status).toBe(404);
  });
});
