/**
 * `/profit n` (issue 17): every figure over the last n days, computed from `/trades` (every page
 * needed, newest close first) and `/status`, through the real grammY bot against the fake
 * Freqtrade, whose `/trades` pages like Freqtrade's (at most 500, `offset`, `total_trades`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSignedMoney } from '../src/format/money.js';
import { formatSignedPercent } from '../src/format/numbers.js';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { type Harness, QUIET, startHarness, VIEWER } from './support/harness.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Trades closed in the last hour (in any `/profit n` window), and 4 to 5 days ago (outside `/profit 3`). */
const RECENT = 600;
const OLD = 600;

/**
 * Adds a trade closed `closedAgoMs` ago after `durationMs`: a 3 % win, or a 2 % loss for every
 * third one, so wins, losses and their sums are known.
 */
function addClosedTrade(fake: FakeFreqtrade, index: number, closedAgoMs: number, durationMs: number): void {
  const pair = fake.state.whitelist[index % fake.state.whitelist.length] ?? 'BTC/USDT';
  const id = fake.addTrade({ pair, openedMinutesAgo: 1 });
  const trade = fake.state.trades.find((t) => t.id === id);
  if (!trade) throw new Error(`trade ${id} was not added`);
  fake.closeTrade(id, { closeRate: trade.openRate * (index % 3 === 0 ? 0.98 : 1.03) });
  // Move it back in time, orders included (the trading volume counts fills since the start).
  const closeMs = fake.now() - closedAgoMs;
  const openMs = closeMs - durationMs;
  trade.openDateMs = openMs;
  trade.closeDateMs = closeMs;
  for (const order of trade.orders) {
    const at = order.isEntry ? openMs : closeMs;
    order.createdAtMs = at;
    order.filledAtMs = at;
  }
}

function seed(fake: FakeFreqtrade): void {
  // Interleaved ids, so neither id order nor open order gives the close order.
  for (let i = 0; i < RECENT + OLD; i += 1) {
    if (i % 2 === 0) addClosedTrade(fake, i / 2, 10 * MINUTE + i * 1000, 30 * MINUTE);
    else addClosedTrade(fake, (i - 1) / 2, 4 * DAY + i * 1000, 2 * DAY);
  }
  fake.addTrade({ pair: fake.state.whitelist[0] ?? 'BTC/USDT', openedMinutesAgo: 5 });
}

let harness: Harness;
let btc: FakeFreqtrade;
beforeAll(async () => {
  btc = await startFakeFreqtrade({ seed: 'demo', stakeCurrency: 'BTC', password: 'btc-pass' });
  harness = await startHarness({
    seed: 'empty',
    extraBots: [
      { name: 'btcbot', api_url: btc.url, username: 'freqtrader', password: 'btc-pass', timeout_ms: 10_000 },
    ],
    telegram: {
      chats: [{ chat_id: '-100123', topic_id: null, notifications: QUIET, bots: ['main', 'btcbot'] }],
    },
  });
  seed(harness.freqtrade);
}, 60_000);
afterAll(async () => {
  await harness.close();
  await btc.close();
});

/** Sends `text` as a viewer; the reply's text and the `/trades` requests it made. */
async function ask(text: string) {
  const before = harness.freqtrade.requests.length;
  const replies = await harness.say(text, { userId: VIEWER });
  const made = harness.freqtrade.requests.slice(before);
  return {
    text: replies.map((reply) => reply.text).join('\n'),
    paths: made.map((request) => request.path),
    // Only the calls of /profit n (the notification back-fill reads /trades too, in id order).
    tradesQueries: made
      .filter((request) => request.path === '/trades' && 'order_by_id' in request.query)
      .map((request) => request.query),
  };
}

/** The closed trades of the fake with a close time at or after `sinceMs`. */
function closedSince(sinceMs: number) {
  return harness.freqtrade.state.trades.filter((t) => !t.isOpen && (t.closeDateMs ?? 0) >= sinceMs);
}

describe('/profit n', () => {
  it('/profit 3 counts only the trades of the last 3 days, reading /trades newest first over two pages', async () => {
    const { text, paths, tradesQueries } = await ask('/profit 3 bot=main');
    // 600 recent trades: page 1 holds 500 of them, page 2 the other 100 and then older ones: stop.
    expect(tradesQueries).toEqual([
      { limit: '500', offset: '0', order_by_id: 'false' },
      { limit: '500', offset: '500', order_by_id: 'false' },
    ]);
    expect(paths).toContain('/status');
    expect(paths).not.toContain('/profit');
    expect(text).toContain('📈 Profit (last 3 days)');
    expect(text).toMatch(
      /Last 3 days: the trades closed since \d{4}-\d{2}-\d{2} 00:00 UTC, and the open trades\./,
    );
    expect(text).toContain(`Trades: ${RECENT + 1} (${RECENT} closed, 1 open)`);
    expect(text).toContain(`Win / loss: ${RECENT - RECENT / 3} / ${RECENT / 3}`);
    expect(text).toContain('Winrate: 66.67%');
    const recent = closedSince(harness.freqtrade.now() - DAY);
    expect(recent).toHaveLength(RECENT);
    const closedSum = recent.reduce((sum, t) => sum + (t.closeProfitAbs ?? 0), 0);
    const ratio = closedSum / harness.freqtrade.state.startingCapital;
    expect(text).toContain(
      `ROI closed trades: ${formatSignedPercent(ratio)} (${formatSignedMoney(closedSum, 'USDT')})`,
    );
    expect(text).toContain('Avg. duration: 30m');
  });

  it('/profit 365 over every trade gives the figures of REST /profit (same definitions)', async () => {
    const windowed = await ask('/profit 365 bot=main');
    // All 1,200 closed trades: three pages, the last one short.
    expect(windowed.tradesQueries.map((query) => query.offset)).toEqual(['0', '500', '1000']);
    const allTime = await ask('/profit bot=main');
    const figures = (text: string) =>
      text
        .split('\n')
        .filter((line) => /^[A-Z][\w /.]*: /.test(line))
        .filter((line) => !/^(Bot started|Last 365 days)/.test(line))
        // The ages move on between the two replies.
        .map((line) => line.replace(/ \([^)]* ago\)$/, ''));
    expect(figures(windowed.text).length).toBeGreaterThan(10);
    expect(figures(windowed.text)).toEqual(figures(allTime.text));
  });

  it('keeps long / short and refuses a bad number with the usage line', async () => {
    expect((await ask('/profit long bot=main')).text).toContain('📈 Profit (long)');
    const { text, paths } = await ask('/profit 0 bot=main');
    expect(paths).toEqual([]);
    expect(text).toContain('Bad days "0": must be at least 1.');
    expect(text).toContain('Usage: /profit [days|long|short]');
  });

  it('with bot=all, gives each bot its window and a total per stake currency', async () => {
    const { text } = await ask('/profit 3 bot=all');
    expect(text).toContain('main · 📈 Profit (last 3 days)');
    expect(text).toContain('btcbot · 📈 Profit (last 3 days)');
    expect(text).toContain('Profit (last 3 days) (USDT)');
    expect(text).toContain('Profit (last 3 days) (BTC)');
  });
});
