import { afterEach, describe, expect, it } from 'vitest';
import type { SentMessage } from './fakes/fake-telegram.js';
import { GROUP_CHAT, type Harness, startHarness, until } from './support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const calls = (h: Harness) => h.stateChangingCalls().map((call) => `${call.method} ${call.path}`);

/** True when the message offers buttons (a Confirm prompt, a picker). */
const hasButtons = (message: SentMessage | undefined) => message?.reply_markup !== undefined;

/** Sends a command that must be refused before any Confirm: returns the reply text. */
async function refused(h: Harness, command: string): Promise<string> {
  const [reply] = await h.say(command);
  expect(hasButtons(reply), `${command} offered buttons`).toBe(false);
  return reply?.text ?? '';
}

/** Presses Confirm on `prompt` and returns the text it was edited to. */
async function confirm(h: Harness, prompt: SentMessage | undefined): Promise<string> {
  if (!prompt) throw new Error('no prompt');
  await h.press(prompt, 'Confirm');
  await until(() => (h.telegram.message(GROUP_CHAT, prompt.message_id)?.edits ?? 0) > 0, 5000, 'the edit');
  return h.telegram.message(GROUP_CHAT, prompt.message_id)?.text ?? '';
}

describe('/forceexit before Confirm', () => {
  it('names the bot and DRY RUN, shows amount, stake and base currency, and what a partial exit leaves', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({
      pair: 'BTC/USDT',
      openRate: 50_000,
      currentRate: 51_000,
      amount: 0.002,
    });
    const [prompt] = await harness.say(`/forceexit ${id} limit 0.0005`);
    const text = prompt?.text ?? '';
    expect(text).toContain('Exit 0.0005 BTC of trade #1 BTC/USDT with a limit order?');
    expect(text).toContain('Bot: main · DRY RUN');
    expect(text).toContain('Amount: 0.002 BTC');
    expect(text).toContain('Stake: 100.00 USDT');
    expect(text).toContain('Exit: 0.0005 BTC of 0.002 BTC; 0.0015 BTC stays open');
    expect(calls(harness)).toEqual([]);
    const result = await confirm(harness, prompt);
    expect(result).toContain('Created exit order for trade 1.');
    expect(harness.freqtrade.requests.find((r) => r.path === '/forceexit')?.body).toEqual({
      tradeid: 1,
      ordertype: 'limit',
      amount: 0.0005,
    });
  });

  it('says LIVE for a bot that trades real money', async () => {
    harness = await startHarness();
    harness.freqtrade.setDryRun(false);
    const id = harness.freqtrade.addTrade({ pair: 'ETH/USDT', openRate: 2000, currentRate: 2010 });
    const [prompt] = await harness.say(`/forceexit ${id}`);
    expect(prompt?.text).toContain('Bot: main · LIVE (real money)');
    expect(prompt?.text).not.toContain('DRY RUN');
  });

  it('refuses an amount above the open amount: no Confirm, nothing sent', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({
      pair: 'BTC/USDT',
      openRate: 50_000,
      currentRate: 51_000,
      amount: 0.002,
    });
    const text = await refused(harness, `/forceexit ${id} market 0.0021`);
    expect(text).toContain('Cannot exit 0.0021 BTC: Trade #1 BTC/USDT holds only 0.002 BTC.');
    expect(text).toContain('Usage: /forceexit');
    expect(calls(harness)).toEqual([]);
  });

  it('shows the profit as unknown, never a zero, when Freqtrade has no current rate', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 50_000, currentRate: 51_000 });
    harness.freqtrade.setPricingFailure('BTC/USDT', true);
    const [prompt] = await harness.say(`/forceexit ${id}`);
    expect(prompt?.text).toContain('Current rate: unknown');
    expect(prompt?.text).toContain('Current profit: unknown');
    expect(prompt?.text).not.toMatch(/profit: [^\n]*0\.00/);
    const [picker] = await harness.say('/forceexit');
    expect(JSON.stringify(picker?.reply_markup)).toContain('#1 BTC/USDT ?');
  });

  it('a Confirm pressed after the trade closed says so and sends nothing', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 50_000, currentRate: 51_000 });
    const [prompt] = await harness.say(`/forceexit ${id}`);
    expect(hasButtons(prompt)).toBe(true);
    harness.freqtrade.closeTrade(id, { closeRate: 51_500 });
    const result = await confirm(harness, prompt);
    expect(result).toContain(`Trade #${id} closed meanwhile: nothing done.`);
    expect(result).not.toContain('invalid argument');
    expect(calls(harness)).toEqual([]);
  });

  it('a Confirm after the trade shrank below the asked amount sends nothing', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({
      pair: 'BTC/USDT',
      openRate: 50_000,
      currentRate: 51_000,
      amount: 0.002,
    });
    const [prompt] = await harness.say(`/forceexit ${id} market 0.0015`);
    const trade = harness.freqtrade.state.trades.find((t) => t.id === id);
    if (!trade) throw new Error('no trade');
    trade.amount = 0.001;
    const result = await confirm(harness, prompt);
    expect(result).toContain('holds 0.001 BTC now, less than the 0.0015 BTC asked: nothing done.');
    expect(calls(harness)).toEqual([]);
  });
});

describe('/forcelong and /forceshort before Confirm', () => {
  it('refuses a limit rate more than 10% from the current price without force=yes', async () => {
    harness = await startHarness();
    harness.freqtrade.setCurrentRate('ETH/USDT', 2000);
    const text = await refused(harness, '/forcelong ETH/USDT 1700');
    expect(text).toContain('Rate 1700 is 15.00% below the current price 2000');
    expect(text).toContain('force=yes');
    expect(text).toContain(
      'Usage: /forcelong <pair> [rate] [stake_amount] [order_type=limit|market] [force=yes]',
    );
    expect(calls(harness)).toEqual([]);
  });

  it('with force=yes shows the signed deviation, and Confirm sends the order', async () => {
    harness = await startHarness();
    harness.freqtrade.setCurrentRate('ETH/USDT', 2000);
    const [prompt] = await harness.say('/forcelong ETH/USDT 1700 force=yes');
    const text = prompt?.text ?? '';
    expect(text).toContain('Open a long trade on ETH/USDT?');
    expect(text).toContain('Bot: main · DRY RUN');
    expect(text).toContain('Rate: 1700 (-15.00% from the current price)');
    expect(text).toContain('Current price: 2000');
    expect(text).toContain('The rate is 15.00% below the current price (force=yes)');
    expect(calls(harness)).toEqual([]);
    const result = await confirm(harness, prompt);
    expect(result).toContain('Long entry placed');
    expect(calls(harness)).toEqual(['POST /forceenter']);
    expect(harness.freqtrade.requests.find((r) => r.path === '/forceenter')?.body).toMatchObject({
      pair: 'ETH/USDT',
      side: 'long',
      price: 1700,
    });
  });

  it('shows a rate within 10% with its deviation, the free stake and LIVE', async () => {
    harness = await startHarness();
    harness.freqtrade.setDryRun(false);
    harness.freqtrade.setCurrentRate('SOL/USDT', 200);
    harness.freqtrade.setFreeStake(500);
    const [prompt] = await harness.say('/forcelong sol/usdt 210 50');
    const text = prompt?.text ?? '';
    expect(text).toContain('Bot: main · LIVE (real money)');
    expect(text).toContain('Rate: 210 (+5.00% from the current price)');
    expect(text).toContain('Stake: 50.00 USDT of 500.00 USDT free');
    expect(hasButtons(prompt)).toBe(true);
  });

  it('says the current price is unknown when the candle lookup fails, and still offers Confirm', async () => {
    harness = await startHarness();
    harness.freqtrade.failNext('GET', '/pair_candles', 502);
    const [prompt] = await harness.say('/forcelong ETH/USDT 1999.5');
    expect(prompt?.text).toContain('Current price: unknown');
    expect(prompt?.text).toContain('Rate: 1999.5 (deviation unknown)');
    expect(hasButtons(prompt)).toBe(true);
    expect(calls(harness)).toEqual([]);
  });

  it('refuses a stake above the free stake currency', async () => {
    harness = await startHarness();
    harness.freqtrade.setFreeStake(50);
    const text = await refused(harness, '/forcelong ETH/USDT stake_amount=60');
    expect(text).toContain('Stake 60.00 USDT is more than the 50.00 USDT free on main: nothing was sent.');
    expect(calls(harness)).toEqual([]);
  });

  it('refuses when force entry is disabled in the Freqtrade config', async () => {
    harness = await startHarness();
    harness.freqtrade.state.forceEntryEnabled = false;
    const text = await refused(harness, '/forcelong ETH/USDT');
    expect(text).toContain('Force entry is disabled on main (force_entry_enable is false');
    expect(calls(harness)).toEqual([]);
  });

  it('shows an open position in the same pair', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({
      pair: 'ETH/USDT',
      openRate: 2000,
      currentRate: 2020,
      amount: 0.05,
    });
    const [prompt] = await harness.say('/forcelong ETH/USDT');
    expect(prompt?.text).toContain(`Open position: #${id} Long 0.05 ETH, stake 100.00 USDT, profit +0.80%`);
    expect(prompt?.text).toContain('position adjustment is off');
  });

  it('documents every key in the usage line and in /help', async () => {
    harness = await startHarness();
    const [help] = await harness.say('/help');
    for (const side of ['long', 'short']) {
      expect(help?.text).toContain(
        `/force${side} <pair> [rate] [stake_amount] [order_type=limit|market] [force=yes]`,
      );
    }
  });
});

describe('/cancel_open_order and /delete before Confirm', () => {
  it('/cancel_open_order refuses a trade without an open order and sends nothing', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 50_000, currentRate: 51_000 });
    const text = await refused(harness, `/cancel_open_order ${id}`);
    expect(text).toContain(`Trade #${id} BTC/USDT has no open order on main: nothing to cancel.`);
    expect(calls(harness)).toEqual([]);
  });

  it('/cancel_open_order shows the open order, and cancels it on Confirm', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({
      pair: 'BTC/USDT',
      openRate: 50_000,
      currentRate: 51_000,
      amount: 0.002,
    });
    harness.freqtrade.addOpenOrder(id, { amount: 0.001, rate: 52_000 });
    const [prompt] = await harness.say(`/coo ${id}`);
    expect(prompt?.text).toContain('Bot: main · DRY RUN');
    expect(prompt?.text).toContain('Open order: sell limit 0.001 BTC at 52000');
    const result = await confirm(harness, prompt);
    expect(result).toContain('open order cancelled');
    expect(calls(harness)).toEqual([`DELETE /trades/${id}/open-order`]);
  });

  it('/cancel_open_order confirmed after the order filled or the trade closed does nothing', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 50_000, currentRate: 51_000 });
    harness.freqtrade.addOpenOrder(id);
    const [prompt] = await harness.say(`/coo ${id}`);
    harness.freqtrade.closeTrade(id, { closeRate: 51_000 });
    expect(await confirm(harness, prompt)).toContain(`Trade #${id} closed meanwhile: nothing done.`);
    expect(calls(harness)).toEqual([]);
  });

  it('/delete of a closed trade asks, says only the record goes, and deletes it', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 50_000, currentRate: 51_000 });
    harness.freqtrade.closeTrade(id, { closeRate: 51_000 });
    const [prompt] = await harness.say(`/delete ${id}`);
    const text = prompt?.text ?? '';
    expect(text).toContain(`Delete trade #${id} BTC/USDT?`);
    expect(text).toContain(`#${id} BTC/USDT (Long, closed)`);
    expect(text).toContain('Only the database record goes');
    expect(text).toContain('Bot: main · DRY RUN');
    const result = await confirm(harness, prompt);
    expect(result).toContain(`Deleted trade #${id} for pair BTC/USDT.`);
    expect(calls(harness)).toEqual([`DELETE /trades/${id}`]);
  });

  it('/delete of an open trade says the position must be handled on the exchange', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({
      pair: 'ETH/USDT',
      openRate: 2000,
      currentRate: 2000,
      amount: 0.05,
    });
    const [prompt] = await harness.say(`/delete ${id}`);
    expect(prompt?.text).toContain('The position (0.05 ETH) stays on the exchange: handle it there.');
    const [missing] = await harness.say('/delete 99');
    expect(missing?.text).toContain('Trade #99 does not exist on main.');
    expect(calls(harness)).toEqual([]);
  });
});
