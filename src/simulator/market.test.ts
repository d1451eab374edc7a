import { afterEach, describe, expect, it } from 'vitest';
import { freqtradeMessageSchema } from '../freqtrade/event-schemas.js';
import { type FakeFreqtrade, startFakeFreqtrade } from './freqtrade-server.js';
import { type Market, seededRandom, startMarket } from './market.js';

type Emitted = Record<string, unknown> & { type: string };

let fake: FakeFreqtrade | undefined;
let market: Market | undefined;

afterEach(async () => {
  market?.stop();
  await fake?.close();
  fake = undefined;
  market = undefined;
});

/** A demo-seeded fake whose emitted messages are recorded (and still broadcast). */
async function recordingFake(): Promise<{ fake: FakeFreqtrade; emitted: Emitted[] }> {
  const started = await startFakeFreqtrade({ seed: 'demo' });
  fake = started;
  const emitted: Emitted[] = [];
  const broadcast = started.emit;
  started.emit = (message) => {
    emitted.push(message);
    broadcast(message);
  };
  return { fake: started, emitted };
}

/** Runs `ticks` market steps by hand (the timer is set far in the future). */
function driveMarket(target: FakeFreqtrade, seed: string, ticks: number): Market {
  market = startMarket(target, { random: seededRandom(seed), tickMs: 3_600_000 });
  for (let i = 0; i < ticks; i++) market.tick();
  return market;
}

describe('seededRandom', () => {
  it('repeats the same sequence for the same seed, in [0, 1), and differs between seeds', () => {
    const a = seededRandom('demo');
    const b = seededRandom('demo');
    const c = seededRandom('other');
    const seqA = Array.from({ length: 50 }, a);
    expect(Array.from({ length: 50 }, b)).toEqual(seqA);
    expect(Array.from({ length: 50 }, c)).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('startMarket', () => {
  it('is deterministic with a seeded random: same trades, rates and messages on two runs', async () => {
    const first = await recordingFake();
    driveMarket(first.fake, 'demo', 150);
    const summary = (f: FakeFreqtrade, emitted: Emitted[]) => ({
      trades: f.state.trades.map((t) => [t.id, t.pair, t.isOpen, t.closeRate, t.exitReason]),
      rates: f.state.currentRates,
      whitelist: f.state.whitelist,
      types: emitted.map((m) => `${m.type}:${String(m.pair ?? '')}`),
    });
    const one = summary(first.fake, first.emitted);
    market?.stop();
    await first.fake.close();

    const second = await recordingFake();
    driveMarket(second.fake, 'demo', 150);
    expect(summary(second.fake, second.emitted)).toEqual(one);
    expect(one.types.length).toBeGreaterThan(4);
  });

  it('moves the prices of open trades on every step', async () => {
    const { fake: f } = await recordingFake();
    const pairs = f.state.trades.filter((t) => t.isOpen).map((t) => t.pair);
    driveMarket(f, 'demo', 1);
    for (const pair of pairs) expect(f.state.currentRates[pair]).toBeTypeOf('number');
  });

  it('exits a trade by ROI at +1.5 % with exit and exit_fill messages Freqtrade would send', async () => {
    const { fake: f, emitted } = await recordingFake();
    const id = f.addTrade({ pair: 'LINK/USDT', openRate: 20, currentRate: 25 });
    driveMarket(f, 'roi', 30);
    const trade = f.state.trades.find((t) => t.id === id);
    expect(trade?.isOpen).toBe(false);
    expect(trade?.exitReason).toBe('roi');
    const exits = emitted.filter((m) => m.trade_id === id);
    expect(exits.map((m) => m.type)).toEqual(['exit', 'exit_fill']);
    for (const message of exits) {
      const parsed = freqtradeMessageSchema.safeParse(message);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(message).toMatchObject({
        pair: 'LINK/USDT',
        exit_reason: 'roi',
        gain: 'profit',
        direction: 'Long',
      });
      expect(message.profit_ratio).toBeGreaterThanOrEqual(0.015);
      expect(message.close_rate).toBe(trade?.closeRate);
    }
    expect(exits[1]).toMatchObject({
      is_final_exit: true,
      current_rate: null,
      final_profit_ratio: trade?.closeProfit,
    });
    expect(exits[0]).toMatchObject({ is_final_exit: false, final_profit_ratio: null });
  });

  it('exits a losing trade by stop-loss at -3 %', async () => {
    const { fake: f, emitted } = await recordingFake();
    const id = f.addTrade({ pair: 'LINK/USDT', openRate: 20, currentRate: 15 });
    driveMarket(f, 'stop', 30);
    expect(f.state.trades.find((t) => t.id === id)?.exitReason).toBe('stop_loss');
    const fill = emitted.find((m) => m.trade_id === id && m.type === 'exit_fill');
    expect(fill).toMatchObject({ exit_reason: 'stop_loss', gain: 'loss' });
  });

  it('leaves a trade alone for its first steps even past its ROI', async () => {
    const { fake: f } = await recordingFake();
    const id = f.addTrade({ pair: 'LINK/USDT', openRate: 20, currentRate: 25 });
    driveMarket(f, 'roi', 3);
    expect(f.state.trades.find((t) => t.id === id)?.isOpen).toBe(true);
  });

  it('opens new trades on whitelisted pairs with entry and entry_fill messages, never on a locked or busy pair', async () => {
    const { fake: f, emitted } = await recordingFake();
    const before = new Set(f.state.trades.map((t) => t.id));
    driveMarket(f, 'demo', 200);
    const added = f.state.trades.filter((t) => !before.has(t.id));
    expect(added.length).toBeGreaterThan(0);
    for (const trade of added) {
      const entries = emitted.filter((m) => m.trade_id === trade.id && m.type.startsWith('entry'));
      expect(entries.map((m) => m.type)).toEqual(['entry', 'entry_fill']);
      for (const message of entries) expect(freqtradeMessageSchema.safeParse(message).success).toBe(true);
      // The seed's StoplossGuard lock on ADA/USDT lasts the whole run.
      expect(trade.pair).not.toBe('ADA/USDT');
    }
    const openPairs = f.state.trades.filter((t) => t.isOpen).map((t) => t.pair);
    expect(new Set(openPairs).size).toBe(openPairs.length);
    expect(openPairs.length).toBeLessThanOrEqual(f.state.maxOpenTrades);
  });

  it('opens, exits and refreshes nothing while the bot is stopped, though prices still move', async () => {
    const { fake: f, emitted } = await recordingFake();
    f.state.botState = 'stopped';
    f.addTrade({ pair: 'LINK/USDT', openRate: 20, currentRate: 25 });
    const whitelist = [...f.state.whitelist];
    driveMarket(f, 'demo', 400);
    expect(emitted).toEqual([]);
    expect(f.state.whitelist).toEqual(whitelist);
    expect(f.state.currentRates['LINK/USDT']).not.toBe(25);
  });

  it('now and then swaps a whitelisted pair, keeping pairs with open trades, and emits the new whitelist', async () => {
    const { fake: f, emitted } = await recordingFake();
    driveMarket(f, 'demo', 400);
    const changes = emitted.filter((m) => m.type === 'whitelist');
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.at(-1)?.data).toEqual(f.state.whitelist);
    expect(freqtradeMessageSchema.safeParse(changes[0]).success).toBe(true);
    for (const trade of f.state.trades.filter((t) => t.isOpen))
      expect(f.state.whitelist).toContain(trade.pair);
  });

  it('stops stepping after stop(), and its timer does not keep the process alive', async () => {
    const { fake: f } = await recordingFake();
    market = startMarket(f, { random: seededRandom('demo'), tickMs: 5 });
    await new Promise((resolve) => setTimeout(resolve, 40));
    const rates = { ...f.state.currentRates };
    expect(Object.keys(rates).length).toBeGreaterThan(0);
    market.stop();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(f.state.currentRates).toEqual(rates);
    market.tick();
    expect(f.state.currentRates).toEqual(rates);
  });
});
