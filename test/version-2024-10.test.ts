import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, VIEWER } from './support/harness.js';

/**
 * "Every command keeps working against Freqtrade 2024.10 (API 2.40) and the current version"
 * (issue 17): a sample of read commands through the real grammY bot and router against the fake
 * Freqtrade playing 2024.10 (no /profit_all, no custom-data routes, no fill counts in trades, no
 * margin_mode, a bare /sysinfo). Each gets a readable reply: no crash, no raw error, and where the
 * server lacks what a command needs, the reply says which Freqtrade version it takes.
 */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ seed: 'demo' });
  harness.freqtrade.state.version = '2024.10';
  harness.freqtrade.state.apiVersion = 2.4;
});
afterAll(async () => {
  await harness.close();
});

/** What a reply must never show: the router's fallbacks for errors, and leaked programming values. */
const RAW_ERROR =
  /refused \/|was not understood|Something went wrong|undefined|NaN|\[object Object\]|Traceback|ZodError|Invalid input/;

/** Sends `text` as a viewer and returns the reply's text (all its messages). */
async function ask(text: string): Promise<string> {
  const replies = await harness.say(text, { userId: VIEWER });
  const reply = replies.map((message) => message.text).join('\n');
  expect(reply.trim().length).toBeGreaterThan(0);
  expect(reply).not.toMatch(RAW_ERROR);
  return reply;
}

const openTrades = () => harness.freqtrade.state.trades.filter((trade) => trade.isOpen);
const closedTrades = () => harness.freqtrade.state.trades.filter((trade) => !trade.isOpen);

describe('Freqtrade 2024.10 (API 2.40)', () => {
  it('/status shows every open trade, without the entry and exit counts 2024.10 does not send', async () => {
    const text = await ask('/status');
    for (const trade of openTrades()) expect(text).toContain(`#${trade.id} ${trade.pair}`);
    expect(text).toContain('Current profit: ');
    expect(text).toContain('Stoploss: ');
    expect(text).not.toContain('Entries:');
  });

  it('/status table shows a row per open trade with profit in % and USDT', async () => {
    const text = await ask('/status table');
    expect(text).toMatch(/ID +Pair +Since +Profit +USDT/);
    for (const trade of openTrades()) expect(text).toMatch(new RegExp(`\\n${trade.id} L `));
    expect(text).toMatch(/Total: [+-]?\d+\.\d+ USDT/);
  });

  it('/profit shows the closed and all-trades profit', async () => {
    const text = await ask('/profit');
    expect(text).toMatch(/[+-]\d+\.\d\d%/);
    expect(text).toContain('USDT');
  });

  it('/profit long says it needs a newer Freqtrade, and which one this bot runs', async () => {
    const text = await ask('/profit long');
    expect(text).toMatch(/needs Freqtrade 20\d\d\.\d+ or newer/);
    expect(text).toContain('2024.10');
  });

  it('/balance shows the stake currency balance', async () => {
    const text = await ask('/balance');
    expect(text).toContain('USDT');
    expect(text).toMatch(/\d+\.\d\d/);
  });

  it('/daily shows the days', async () => {
    const text = await ask('/daily');
    expect(text).toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  it('/count shows open trades against the maximum', async () => {
    const text = await ask('/count');
    expect(text).toContain(`Open trades: ${openTrades().length} / 5`);
  });

  it('/performance ranks the traded pairs', async () => {
    const text = await ask('/performance');
    const first = closedTrades()[0];
    if (!first) throw new Error('the demo seed has no closed trade');
    expect(text).toContain(first.pair);
  });

  it('/show_config shows the configuration; the market without the margin mode 2024.10 lacks', async () => {
    const text = await ask('/show_config');
    expect(text).toContain('Market: spot');
    expect(text).toContain('Freqtrade version: 2024.10');
    expect(text).toContain('Entry pricing: same side, order book top 1');
    expect(text).toContain('Stoploss on exchange: no');
  });

  it('/version shows both versions, the API and that the strategy has none', async () => {
    const text = await ask('/version');
    expect(text).toContain('Freqtrade: 2024.10');
    expect(text).toContain('Strategy version: not set');
    expect(text).toContain('API: 2.4');
  });

  it('/list_custom_data says it needs a newer Freqtrade', async () => {
    const trade = harness.freqtrade.state.trades.find((t) => t.customData.length > 0);
    if (!trade) throw new Error('the demo seed has no custom data');
    const text = await ask(`/list_custom_data ${trade.id}`);
    expect(text).toMatch(/needs Freqtrade 20\d\d\.\d+ or newer/);
    expect(text).toContain('2024.10');
  });

  it('/locks lists the active lock', async () => {
    const text = await ask('/locks');
    const lock = harness.freqtrade.state.locks.find((l) => l.active && l.pair !== '*');
    if (!lock) throw new Error('the demo seed has no active pair lock');
    expect(text).toContain(lock.pair);
  });

  it('/whitelist lists the pairs', async () => {
    const text = await ask('/whitelist');
    expect(text).toContain(`with ${harness.freqtrade.state.whitelist.length} pairs`);
  });

  it('/trades lists the closed trades', async () => {
    const text = await ask('/trades');
    for (const trade of closedTrades().slice(0, 3)) expect(text).toContain(trade.pair);
  });

  it('/sysinfo copes with the CPU and RAM percentages only', async () => {
    const text = await ask('/sysinfo');
    expect(text).toContain('CPU: 10.2% average over 2 cores');
    expect(text).toContain('RAM: 41.7%');
  });
});
