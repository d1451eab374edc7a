import { describe, expect, it } from 'vitest';
import type { Balances, Order } from '../../freqtrade/schemas.js';
import {
  botModeField,
  cancellableOrders,
  describeDeviation,
  describeOrder,
  deviatesTooFar,
  freeStakeOf,
  latestClose,
  rateDeviation,
} from './order-checks.js';

const order = (overrides: Partial<Order>): Order => ({
  pair: 'BTC/USDT',
  order_id: 'o1',
  status: 'open',
  remaining: 0.5,
  amount: 0.5,
  safe_price: 101.5,
  cost: 0,
  filled: 0,
  ft_order_side: 'sell',
  order_type: 'limit',
  is_open: true,
  order_timestamp: null,
  order_filled_timestamp: null,
  ...overrides,
});

describe('order checks', () => {
  it('names the bot and whether money is real', () => {
    expect(botModeField('main', true)).toEqual({ label: 'Bot', value: 'main · DRY RUN (simulated)' });
    expect(botModeField('main', false).value).toBe('main · LIVE (real money)');
  });

  it('reads the latest close, and nothing from an empty or odd answer', () => {
    const columns = ['date', 'open', 'high', 'low', 'close', 'volume'];
    expect(
      latestClose({
        columns,
        data: [
          [0, 1, 1, 1, 10, 5],
          [1, 1, 1, 1, 12.5, 5],
        ],
      }),
    ).toBe(12.5);
    expect(latestClose({ columns, data: [] })).toBeUndefined();
    expect(latestClose({ columns: ['date'], data: [[0]] })).toBeUndefined();
    expect(latestClose({ columns, data: [[0, 1, 1, 1, null, 5]] })).toBeUndefined();
    expect(latestClose({ columns, data: [[0, 1, 1, 1, 0, 5]] })).toBeUndefined();
  });

  it('measures a rate against the price, with 10% as the limit', () => {
    expect(rateDeviation(1700, 2000)).toBeCloseTo(-0.15);
    expect(deviatesTooFar(rateDeviation(1700, 2000))).toBe(true);
    expect(deviatesTooFar(rateDeviation(2200, 2000))).toBe(false);
    expect(deviatesTooFar(rateDeviation(2201, 2000))).toBe(true);
    expect(describeDeviation(-0.15)).toBe('15.00% below');
    expect(describeDeviation(0.12)).toBe('12.00% above');
  });

  it('takes the free stake from its currency row, 0 when the wallet lists none', () => {
    const row = { free: 0, balance: 0, used: 0, est_stake: 0, stake: 'USDT', side: 'long', position: 0 };
    const balances = {
      currencies: [
        { ...row, currency: 'BTC', free: 0.1, is_position: false, is_bot_managed: false },
        { ...row, currency: 'USDT', free: 250.5, is_position: false, is_bot_managed: true },
      ],
    } as unknown as Balances;
    expect(freeStakeOf(balances, 'USDT')).toBe(250.5);
    expect(freeStakeOf(balances, 'EUR')).toBe(0);
  });

  it('lists open orders but not stop-loss orders, and describes them', () => {
    const orders = [
      order({ order_id: 'a', is_open: false, status: 'closed' }),
      order({ order_id: 'b', ft_order_side: 'stoploss' }),
      order({ order_id: 'c', remaining: 0.2, filled: 0.3 }),
    ];
    expect(cancellableOrders({ orders }).map((o) => o.order_id)).toEqual(['c']);
    expect(describeOrder(order({ remaining: 0.2, filled: 0.3 }), 'BTC')).toBe(
      'sell limit 0.2 of 0.5 BTC at 101.5',
    );
    expect(describeOrder(order({}), 'BTC')).toBe('sell limit 0.5 BTC at 101.5');
  });
});
