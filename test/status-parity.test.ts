import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_TABLE_MAX_WIDTH, statusTableBlock, withoutSettle } from '../src/chat/commands/trades.js';
import { renderTableText } from '../src/chat/reply.js';
import type { OpenTrade } from '../src/freqtrade/schemas.js';
import type { FakeTrade } from './fakes/fake-freqtrade.js';
import { type Harness, startHarness, VIEWER } from './support/harness.js';

/**
 * Freqtrade Telegram parity (issue 17): the per-trade /status fields (entries, exits, initial
 * stoploss, funding fees), the /status table's amount column within 40 characters, /show_config's
 * pricing and stoploss settings and /version's strategy version, through the real grammY bot
 * against the fake Freqtrade.
 */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ seed: 'empty' });
});
afterAll(async () => {
  await harness.close();
});
afterEach(() => {
  const state = harness.freqtrade.state;
  state.trades = [];
  state.version = '2026.3';
  state.apiVersion = 2.47;
  state.tradingMode = 'spot';
});

/** Sends `text` as a viewer and returns the one reply: its plain text and its HTML. */
async function ask(text: string): Promise<{ text: string; html: string }> {
  const replies = await harness.say(text, { userId: VIEWER });
  return {
    text: replies.map((reply) => reply.text).join('\n'),
    html: replies.map((reply) => reply.html).join('\n'),
  };
}

/** The lines of every `<pre>` block of a reply's HTML, entities decoded. */
function preLines(html: string): string[] {
  return [...html.matchAll(/<pre>([\s\S]*?)<\/pre>/g)].flatMap((match) =>
    (match[1] ?? '').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&').split('\n'),
  );
}

function tradeOf(id: number): FakeTrade {
  const trade = harness.freqtrade.state.trades.find((t) => t.id === id);
  if (!trade) throw new Error(`no trade ${id}`);
  return trade;
}

describe('/status per trade', () => {
  it('shows the filled entries and exits, and no initial stoploss while the stoploss has not moved', async () => {
    const id = harness.freqtrade.addTrade({ pair: 'ETH/USDT', openRate: 2000, currentRate: 2100 });
    const { text } = await ask('/status');
    expect(text).toContain(`#${id} ETH/USDT · Long`);
    expect(text).toContain('Entries: 1');
    expect(text).toContain('Exits: 0');
    expect(text).toContain('Stoploss: 1800 USDT (-10.00%)');
    expect(text).not.toContain('Initial stoploss');
    expect(text).not.toContain('Funding fees');
  });

  it('shows the initial stoploss once a trailing stop has moved it, as Freqtrade does', async () => {
    const id = harness.freqtrade.addTrade({ pair: 'ETH/USDT', openRate: 2000, currentRate: 2300 });
    const trade = tradeOf(id);
    trade.initialStoplossRatio = -0.1;
    trade.stoplossRatio = -0.02;
    const { text } = await ask(`/status ${id}`);
    expect(text).toContain('Stoploss: 1960 USDT (-2.00%)');
    expect(text).toContain('Initial stoploss: 1800 USDT (-10.00%)');
  });

  it('shows the funding fees of a futures trade, signed, and counts a second entry', async () => {
    harness.freqtrade.state.tradingMode = 'futures';
    const id = harness.freqtrade.addTrade({
      pair: 'BTC/USDT:USDT',
      openRate: 60000,
      currentRate: 61000,
      isShort: true,
    });
    const trade = tradeOf(id);
    trade.fundingFees = -0.4321;
    const first = trade.orders.find((order) => order.isEntry);
    if (!first) throw new Error('no entry order');
    trade.orders.push({ ...first, orderId: `dca-${id}`, createdAtMs: first.createdAtMs + 60_000 });
    const { text } = await ask('/status');
    expect(text).toContain(`#${id} BTC/USDT:USDT · Short`);
    expect(text).toContain('Funding fees: -0.4321 USDT');
    expect(text).toContain('Entries: 2');
    expect(text).toContain('Exits: 0');
  });

  it('leaves out entries and exits when the server is 2024.10, which does not send them', async () => {
    harness.freqtrade.state.version = '2024.10';
    harness.freqtrade.state.apiVersion = 2.4;
    harness.freqtrade.addTrade({ pair: 'ETH/USDT', openRate: 2000, currentRate: 2100 });
    const { text } = await ask('/status');
    expect(text).toContain('ETH/USDT · Long');
    expect(text).toContain('Current profit: ');
    expect(text).not.toContain('Entries');
    expect(text).not.toContain('Exits');
  });
});

describe('/status table', () => {
  it('has profit in % and in USDT, right-aligned, every line within 40 characters', async () => {
    harness.freqtrade.state.tradingMode = 'futures';
    const trades = [
      { pair: '1000SHIB/USDT:USDT', openRate: 0.02, currentRate: 0.0213, stakeAmount: 250 },
      { pair: 'BTC/USDT:USDT', openRate: 60000, currentRate: 58800, stakeAmount: 1000, isShort: true },
      { pair: 'DOGE/USDT:USDT', openRate: 0.1, currentRate: 0.0995, stakeAmount: 40 },
      { pair: '1000PEPE/USDT:USDT', openRate: 0.01, currentRate: 0.0123, stakeAmount: 900 },
      { pair: 'ETH/USDT:USDT', openRate: 2000, currentRate: 2000.5, stakeAmount: 10, openedMinutesAgo: 3000 },
    ];
    for (const trade of trades) harness.freqtrade.addTrade(trade);
    const { text, html } = await ask('/status table');
    const lines = preLines(html);
    expect(lines.length).toBe(2 + trades.length);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(STATUS_TABLE_MAX_WIDTH);
    expect(lines[0]).toMatch(/^ID +Pair +Since +Profit +USDT$/);
    // Right-aligned last column: every row ends where the header does.
    const width = [...(lines[0] ?? '')].length;
    for (const line of lines.slice(2)) expect([...line].length).toBe(width);
    const shib = lines.find((line) => line.includes('1000SHIB'));
    expect(shib).toMatch(/^1 L +1000SHIB +0s +\+6\.\d\d% +\+1\d\.\d\d$/);
    expect(lines.find((line) => line.startsWith('2 S'))).toMatch(/^2 S +BTC +0s +\+1\.\d\d% +\+1\d\.\d\d$/);
    expect(lines.find((line) => line.startsWith('5 L'))).toMatch(/2d 2h/);
    expect(text).toMatch(/Total: \+\d+\.\d\d USDT/);
  });

  it('keeps whole pairs when they fit', async () => {
    harness.freqtrade.addTrade({ pair: 'ETH/USDT', openRate: 2000, currentRate: 2010 });
    harness.freqtrade.addTrade({ pair: 'SOL/USDT', openRate: 100, currentRate: 99 });
    const lines = preLines((await ask('/status table')).html);
    expect(lines.some((line) => / ETH\/USDT /.test(line))).toBe(true);
    expect(lines.some((line) => / SOL\/USDT /.test(line))).toBe(true);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(STATUS_TABLE_MAX_WIDTH);
  });
});

/** An open trade as /status returns it, for the pure table fitting below. */
function openTrade(fields: Partial<OpenTrade>): OpenTrade {
  return {
    trade_id: 1,
    pair: 'ETH/USDT',
    base_currency: 'ETH',
    quote_currency: 'USDT',
    is_short: false,
    open_timestamp: 0,
    profit_ratio: 0.01,
    profit_abs: 1,
    ...fields,
  } as OpenTrade;
}

describe('statusTableBlock', () => {
  const widest = (trades: OpenTrade[], currency: string, nowMs = 3_600_000) =>
    Math.max(
      ...renderTableText(statusTableBlock(trades, nowMs, currency))
        .split('\n')
        .map((line) => [...line].length),
    );

  it('drops the settle suffix only when it is the quote', () => {
    expect(withoutSettle('1000SHIB/USDT:USDT')).toBe('1000SHIB/USDT');
    expect(withoutSettle('BTC/USD:BTC')).toBe('BTC/USD:BTC');
    expect(withoutSettle('ETH/USDT')).toBe('ETH/USDT');
  });

  it('fits 40 characters with BTC amounts, long ids, big losses, long pairs and long ages', () => {
    const trades = [
      openTrade({
        trade_id: 12345,
        pair: 'VERYLONGNAMEDCOIN/BTC',
        quote_currency: 'BTC',
        is_short: true,
        profit_ratio: -0.987654,
        profit_abs: -0.00012345,
        open_timestamp: -40 * 86_400_000,
      }),
      openTrade({ trade_id: 2, pair: 'ETH/BTC', quote_currency: 'BTC', profit_abs: 0.00000821 }),
    ];
    expect(widest(trades, 'BTC')).toBeLessThanOrEqual(STATUS_TABLE_MAX_WIDTH);
    const block = statusTableBlock(trades, 3_600_000, 'BTC');
    expect(block.rows[1]?.[1]).toBe('ETH');
    expect(block.rows[0]?.[1]).toMatch(/^VERY.*…$/);
    expect(block.rows[0]?.at(-1)).toBe('-0.00012345');
  });

  it('shows n/a for a trade Freqtrade could not price', () => {
    const block = statusTableBlock([openTrade({ profit_ratio: null, profit_abs: null })], 0, 'USDT');
    expect(block.rows[0]?.slice(-2)).toEqual(['n/a', 'n/a']);
  });
});

describe('/show_config', () => {
  it("shows the fake's entry and exit pricing, stoploss on exchange and trailing stop", async () => {
    const { text } = await ask('/show_config');
    expect(text).toContain('Stoploss: -10.00%');
    expect(text).toContain('Stoploss on exchange: no');
    expect(text).toContain('Trailing stop: off');
    expect(text).toContain('Entry pricing: same side, order book top 1');
    expect(text).toContain('Exit pricing: same side, order book top 1');
  });

  it('words ticker pricing, the depth-of-market check, a trailing stop and a stoploss on the exchange', async () => {
    const { showConfigJson } = await import('../src/simulator/routes-info.js');
    const config = {
      ...showConfigJson(harness.freqtrade.state),
      stoploss_on_exchange: true,
      use_custom_stoploss: true,
      trailing_stop: true,
      trailing_stop_positive: 0.01,
      trailing_stop_positive_offset: 0.025,
      trailing_only_offset_is_reached: true,
      entry_pricing: {
        price_side: 'other',
        use_order_book: false,
        order_book_top: 1,
        price_last_balance: 0.5,
        check_depth_of_market: { enabled: true, bids_to_ask_delta: 1.5 },
      },
      exit_pricing: { price_side: 'bid', use_order_book: true, order_book_top: 3 },
    };
    harness.freqtrade.failNext('GET', '/show_config', 200, config);
    const { text } = await ask('/show_config');
    expect(text).toContain('Stoploss: -10.00%, custom stoploss');
    expect(text).toContain('Stoploss on exchange: yes');
    expect(text).toContain('Trailing stop: on, +1.00% after +2.50% profit, only once the offset is reached');
    expect(text).toContain(
      'Entry pricing: other side, ticker, last balance 0.5, depth of market checked (bids/asks ≥ 1.5)',
    );
    expect(text).toContain('Exit pricing: bid side, order book top 3');
  });
});

describe('/version', () => {
  it('says the strategy version is not set when the strategy declares none', async () => {
    const { text } = await ask('/version');
    expect(text).toContain('Freqtrade: 2026.3');
    expect(text).toContain('Strategy: SampleStrategy');
    expect(text).toContain('Strategy version: not set');
    expect(text).toContain('API: 2.47');
  });

  it("shows the strategy's version when it declares one", async () => {
    const { showConfigJson } = await import('../src/simulator/routes-info.js');
    harness.freqtrade.failNext('GET', '/show_config', 200, {
      ...showConfigJson(harness.freqtrade.state),
      strategy_version: '3.1.4',
    });
    const { text } = await ask('/version');
    expect(text).toContain('Strategy: SampleStrategy');
    expect(text).toContain('Strategy version: 3.1.4');
  });
});
