/**
 * `bot=all`: one reply across every bot of the chat, end to end on Telegram against three fake
 * Freqtrades (one USDT, one BTC, one that accepts requests and never answers).
 */
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { type Harness, QUIET, startHarness } from './support/harness.js';
import { startHungServer } from './fakes/hung-freqtrade.js';

/** A chat whose `bots` list names only the two answering bots. */
const TWO_BOT_CHAT = -100777;

let harness: Harness | undefined;
let hung: Server | undefined;
let btc: FakeFreqtrade | undefined;
afterEach(async () => {
  hung?.closeAllConnections();
  hung?.close();
  await harness?.close();
  await btc?.close();
  harness = undefined;
  hung = undefined;
  btc = undefined;
});

async function startFleet(): Promise<{ h: Harness; hungRequests: string[] }> {
  const started = await startHungServer();
  hung = started.server;
  btc = await startFakeFreqtrade({ seed: 'demo', stakeCurrency: 'BTC', password: 'btc-pass' });
  harness = await startHarness({
    seed: 'demo',
    extraBots: [
      { name: 'btcbot', api_url: btc.url, username: 'freqtrader', password: 'btc-pass', timeout_ms: 10_000 },
      {
        name: 'hung',
        api_url: started.url,
        username: 'freqtrader',
        password: 'hung-pass',
        timeout_ms: 10_000,
      },
    ],
    telegram: {
      chats: [
        { chat_id: '-100123', topic_id: null, notifications: QUIET },
        { chat_id: String(TWO_BOT_CHAT), topic_id: null, notifications: QUIET, bots: ['main', 'btcbot'] },
      ],
    },
  });
  return { h: harness, hungRequests: started.requests };
}

describe('bot=all', () => {
  it('answers once within a few seconds with every bot, totals per stake currency and a row for the hung bot', async () => {
    const { h, hungRequests } = await startFleet();
    const startedMs = Date.now();
    const replies = await h.say('/balance all');
    const elapsedMs = Date.now() - startedMs;
    expect(replies).toHaveLength(1);
    const text = replies[0]?.text ?? '';
    // The hung bot was asked (its login never answers) and did not hold the reply back.
    expect(hungRequests.length).toBeGreaterThan(0);
    expect(elapsedMs).toBeLessThan(7_000);
    expect(text).toContain('all bots (2/3 answered)');
    expect(text).toContain('main · 💰 Balance');
    expect(text).toContain('btcbot · 💰 Balance');
    expect(text).toContain('hung: not answering within 4 s');
    // One total per stake currency, never USDT and BTC added together.
    expect(text).toMatch(/Total \(bot-managed\) \(USDT\):? [\d.,]+ USDT from main/);
    expect(text).toMatch(/Total \(bot-managed\) \(BTC\):? [\d.,]+ BTC from btcbot/);
    // Nothing arrives after the joined reply (the hung call is dropped, not answered later).
    const [next] = await h.say('/count bot=main');
    expect(next?.text).toContain('Trade count');
  });

  it('accepts bot=all for /profit and /daily, and keeps the per-bot sections apart', async () => {
    const { h } = await startFleet();
    const [profit] = await h.say('/profit bot=all');
    expect(profit?.text).toContain('main · 📈 Profit');
    expect(profit?.text).toContain('btcbot · 📈 Profit');
    expect(profit?.text).toMatch(/Profit \(all trades\) \(USDT\)/);
    expect(profit?.text).toMatch(/Profit \(all trades\) \(BTC\)/);
    const [daily] = await h.say('/daily all 3');
    expect(daily?.text).toContain('Profit (last 3 days) (USDT)');
    expect(daily?.text).toContain('Profit (last 3 days) (BTC)');
    expect(daily?.text).toContain('hung: not answering within 4 s');
  });

  it('refuses a state-changing command with bot=all and sends nothing; /forceexit all keeps its meaning', async () => {
    const { h, hungRequests } = await startFleet();
    const before = btc?.requests.length ?? 0;
    const [refusal] = await h.say('/forceexit all bot=all');
    expect(refusal?.text).toContain('/forceexit changes state, so it is never sent to all bots at once');
    const [pause] = await h.say('/pause bot=all');
    expect(pause?.text).toContain('never sent to all bots at once');
    expect(h.stateChangingCalls()).toEqual([]);
    expect(
      btc?.requests.slice(before).filter((r) => r.method !== 'GET' && !r.path.startsWith('/token/')),
    ).toEqual([]);
    expect(hungRequests.filter((request) => !request.includes('/token/'))).toEqual([]);
    // Without bot=all, `all` is still every open trade of one bot: a confirmation prompt.
    const [prompt] = await h.say('/forceexit all bot=main');
    expect(prompt?.text).not.toContain('all bots');
    expect(prompt?.text).toContain('Only');
  });

  it('in a chat with a bots list, all means those bots only', async () => {
    const { h, hungRequests } = await startFleet();
    const [reply] = await h.say('/status all', { chatId: TWO_BOT_CHAT });
    expect(reply?.text).toContain('all bots (2/2 answered)');
    expect(reply?.text).toContain('main');
    expect(reply?.text).toContain('btcbot');
    expect(reply?.text).not.toContain('hung');
    expect(hungRequests.filter((request) => !request.includes('/token/'))).toEqual([]);
  });
});
