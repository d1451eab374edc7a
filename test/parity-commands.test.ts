import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCommands } from '../src/chat/commands/index.js';
import { createConsoleAdapter } from '../src/console/adapter.js';
import { buildDemoConfig } from '../src/demo/run-demo.js';
import { createSilentLogger } from '../src/logger.js';
import { toSlashCommands } from '../src/discord/slash-commands.js';
import { startApp } from '../src/main.js';
import { startFakeFreqtrade } from '../src/simulator/freqtrade-server.js';
import type { FakeTrade } from './fakes/fake-freqtrade.js';
import { GROUP_CHAT, type Harness, STRANGER, startHarness, until, VIEWER } from './support/harness.js';

/**
 * Freqtrade Telegram parity (issue 17, first part): /order, /list_custom_data, /profit_long,
 * /profit_short, /profit long|short, /tg_info, /whitelist sorted baseonly and /balance total,
 * through the real grammY bot against the fake Freqtrade, in 2026.3 and 2024.10 mode.
 */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ seed: 'demo' });
  // The requests made on connect (back-fill, then the fiat rate's /balance) are over before any test counts its own.
  await until(
    () => harness.freqtrade.requests.some((request) => request.path === '/balance'),
    8000,
    '/balance',
  );
});
afterAll(async () => {
  await harness.close();
});
afterEach(() => {
  // Every test starts from the fake's 2026.3 spot defaults.
  harness.freqtrade.state.version = '2026.3';
  harness.freqtrade.state.apiVersion = 2.47;
  harness.freqtrade.state.tradingMode = 'spot';
});

/** Sends `text` as `userId` and returns the one reply's text and the REST GETs it made (with queries). */
async function ask(text: string, opts: { userId?: number; chatId?: number; threadId?: number } = {}) {
  const before = harness.freqtrade.requests.length;
  const replies = await harness.say(text, { userId: VIEWER, ...opts });
  const gets = harness.freqtrade.requests
    .slice(before)
    .filter((request) => request.method === 'GET')
    .map((request) => request.path);
  const queries = harness.freqtrade.requests.slice(before).map((request) => request.query);
  return { text: replies.map((reply) => reply.text).join('\n'), gets, queries };
}

/** Plays Freqtrade 2024.10 (API 2.40): no /profit_all, no custom-data routes. */
function play2024_10() {
  harness.freqtrade.state.version = '2024.10';
  harness.freqtrade.state.apiVersion = 2.4;
}

const openTrades = (): FakeTrade[] =>
  harness.freqtrade.state.trades.filter((trade) => trade.isOpen).sort((a, b) => a.id - b.id);

describe('/order', () => {
  it('lists the filled orders of every open trade from /status', async () => {
    const { text, gets } = await ask('/order');
    expect(gets).toContain('/status');
    for (const trade of openTrades()) expect(text).toContain(`Orders of trade #${trade.id} ${trade.pair}`);
    expect(text).toContain('Entry #1');
    expect(text).toMatch(/Amount: [\d.]+ \w+ \([\d.,]+ USDT\)/);
    expect(text).toMatch(/Average price: [\d.]+ USDT/);
  });

  it('numbers a second entry and shows its % from the first entry', async () => {
    const trade = openTrades()[0];
    if (!trade) throw new Error('the demo seed has no open trade');
    const first = trade.orders.find((order) => order.isEntry);
    if (!first) throw new Error('the trade has no entry order');
    const filledAtMs = harness.freqtrade.now() - 60_000;
    trade.orders.push({
      ...first,
      orderId: `dca-${trade.id}`,
      amount: first.filled,
      price: first.price * 0.9,
      createdAtMs: filledAtMs,
      filledAtMs,
      tag: null,
    });
    try {
      const { text, gets } = await ask(`/order ${trade.id}`);
      expect(gets).toEqual([`/trade/${trade.id}`]);
      expect(text).toContain('Entry #1');
      expect(text).toContain('Entry #2');
      expect(text).toContain('(-10.00% from 1st entry)');
      expect(text).toMatch(/Filled: \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    } finally {
      trade.orders = trade.orders.filter((order) => order.orderId !== `dca-${trade.id}`);
    }
  });

  it('says which trade ids do not exist and refuses a word that is not an id', async () => {
    expect((await ask('/order 999')).text).toContain('Trade 999 not found.');
    const { text, gets } = await ask('/order abc');
    expect(gets).toEqual([]);
    expect(text).toContain('"abc" is not a trade id.');
    expect(text).toContain('Usage: /order [trade_id…]');
  });
});

describe('/list_custom_data', () => {
  const withData = () => {
    const trade = harness.freqtrade.state.trades.find((t) => t.customData.length > 0);
    if (!trade) throw new Error('the demo seed has no custom data');
    return trade;
  };

  it("shows every key of the trade's custom data with type, value and dates", async () => {
    const trade = withData();
    const { text, gets } = await ask(`/list_custom_data ${trade.id}`);
    expect(gets).toEqual([`/trades/${trade.id}/custom-data`]);
    expect(text).toContain(`Custom data of trade #${trade.id} (2 entries)`);
    expect(text).toContain('entry_signal_strength');
    expect(text).toContain('Value: 0.82');
    expect(text).toContain('Updated: never');
    expect(text).toMatch(/Created: \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  });

  it('passes the key and shows only that entry', async () => {
    const trade = withData();
    const { text, queries } = await ask(`/list_custom_data ${trade.id} dca_count`);
    expect(queries).toContainEqual({ key: 'dca_count' });
    expect(text).toContain('dca_count');
    expect(text).not.toContain('entry_signal_strength');
  });

  it("shows Freqtrade's words for a trade without data", async () => {
    const trade = harness.freqtrade.state.trades.find((t) => t.customData.length === 0);
    if (!trade) throw new Error('every demo trade has custom data');
    const { text } = await ask(`/list_custom_data ${trade.id}`);
    expect(text).toContain(`No custom-data found for Trade ID: ${trade.id}.`);
  });

  it('says which Freqtrade it needs when the server is 2024.10', async () => {
    play2024_10();
    const { text } = await ask(`/list_custom_data ${withData().id}`);
    expect(text).toContain('/list_custom_data needs Freqtrade 2024.12 or newer (main runs 2024.10).');
  });
});

describe('/profit_long, /profit_short, /profit long|short', () => {
  it('/profit_long on spot shows every trade (all are long) from /profit_all', async () => {
    const { text, gets } = await ask('/profit_long');
    expect(gets).toContain('/profit_all');
    expect(gets).not.toContain('/profit');
    expect(text).toContain('Profit (long)');
    expect(text).toContain('Long trades only.');
    expect(text).toMatch(/ROI all trades: [+-]?[\d.]+% \([+-]?[\d.]+ USDT\)/);
  });

  it('/profit_short on spot says there are no short trades', async () => {
    const { text } = await ask('/profit_short');
    expect(text).toContain('No short trades: this bot trades spot');
  });

  it('/profit long and /profit short run the same code as /profit_long and /profit_short', async () => {
    harness.freqtrade.state.tradingMode = 'futures';
    const long = await ask('/profit long');
    expect(long.gets).toContain('/profit_all');
    expect(long.text).toContain('Long trades only.');
    // The same reply, label for label (the fake's prices move between the two calls).
    const labels = (text: string) => text.split('\n').map((line) => line.split(/[:\d]/)[0]);
    expect(labels(long.text)).toEqual(labels((await ask('/profit_long')).text));
    const short = await ask('/profit SHORT');
    // The demo opens long trades only: futures report an empty short side.
    expect(short.text).toContain('No short trades yet.');
  });

  it('/profit 3 still means days, and a bad word names both forms', async () => {
    expect((await ask('/profit 3')).text).toContain('Last 3 days');
    const { text, gets } = await ask('/profit sideways');
    expect(gets).toEqual([]);
    expect(text).toContain('Bad days "sideways": expected a number of days, or long or short.');
    expect(text).toContain('Usage: /profit [days|long|short]');
  });

  it('says which Freqtrade it needs when the server is 2024.10, and /profit still works there', async () => {
    play2024_10();
    const { text } = await ask('/profit_short');
    expect(text).toContain('/profit_short needs Freqtrade 2025.7 or newer (main runs 2024.10)');
    expect((await ask('/profit long')).text).toContain('/profit_long needs Freqtrade 2025.7 or newer');
    const all = await ask('/profit');
    expect(all.text).toMatch(/ROI all trades: [+-]?[\d.]+% \([+-]?[\d.]+ USDT\)/);
  });
});

describe('/tg_info', () => {
  it('answers a stranger in the configured group with a JSON snippet of chat, topic and access entry', async () => {
    const { text, gets } = await ask('/tg_info', { userId: STRANGER });
    expect(gets).toEqual([]);
    const json = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
    expect(json).toEqual({
      telegram: { chats: [{ chat_id: String(GROUP_CHAT), topic_id: null }] },
      access: { viewers: [`telegram:${STRANGER}`] },
    });
  });

  it('names the forum topic it was sent from, and answers in a private chat', async () => {
    const inTopic = await ask('/tg_info', { userId: STRANGER, threadId: 42 });
    expect(inTopic.text).toContain('"topic_id": 42');
    const privately = await ask('/tg_info', { userId: STRANGER, chatId: STRANGER });
    expect(privately.text).toContain(`"chat_id": "${STRANGER}"`);
  });

  it('is no longer the same as /whoami', async () => {
    expect((await ask('/whoami')).text).toContain('Role: viewer');
    expect((await ask('/tg_info')).text).not.toContain('Role:');
  });
});

describe('/marketdir', () => {
  it('says that Freqtrade has no REST endpoint for it, in its reply and in /help marketdir, and calls nothing', async () => {
    const { text, gets } = await ask('/marketdir long');
    expect(gets).toEqual([]);
    expect(text).toContain('no endpoint for the market direction');
    expect((await ask('/help marketdir')).text).toContain('no REST endpoint for the market direction');
  });
});

describe('/whitelist [sorted] [baseonly] and /balance total', () => {
  it('/whitelist sorted baseonly sorts the pairs, then keeps their base currency', async () => {
    const pairs = harness.freqtrade.state.whitelist;
    const expected = [...pairs]
      .sort()
      .map((pair) => pair.split('/')[0])
      .join(', ');
    const { text, gets } = await ask('/whitelist sorted baseonly');
    expect(gets).toEqual(['/whitelist']);
    expect(text).toContain(`with ${pairs.length} pairs`);
    expect(text).toContain(expected);
    expect((await ask('/whitelist baseonly')).text).toContain(
      pairs.map((pair) => pair.split('/')[0]).join(', '),
    );
  });

  it('/whitelist refuses an unknown word with the usage line', async () => {
    const { text } = await ask('/whitelist reversed');
    expect(text).toContain('Bad options "reversed": expected one of: sorted, baseonly.');
  });

  it('/balance total is the same as /balance full', async () => {
    const total = await ask('/balance total');
    expect(total.gets).toEqual(['/balance']);
    expect(total.text).toContain('Balance (full)');
    const labels = (text: string) => text.split('\n').map((line) => line.split(/[:\d]/)[0]);
    expect(labels(total.text)).toEqual(labels((await ask('/balance full')).text));
  });
});

describe('the same commands on the console', () => {
  it('answers /order, /profit_long, /list_custom_data, /tg_info and /whitelist sorted in plain text', async () => {
    const fake = await startFakeFreqtrade({ seed: 'demo' });
    const app = await startApp({
      config: buildDemoConfig({ simulatorUrl: fake.url }),
      logger: createSilentLogger(),
      storePath: null,
    });
    try {
      const input = new PassThrough();
      const output = new PassThrough();
      let written = '';
      output.on('data', (chunk: Buffer) => {
        written += chunk.toString('utf8');
      });
      const adapter = createConsoleAdapter({
        router: app.router,
        input,
        output,
        interactive: false,
        color: false,
      });
      const withData = fake.state.trades.find((trade) => trade.customData.length > 0);
      const done = adapter.start();
      input.end(
        [
          '/order',
          '/profit_long',
          `/list_custom_data ${withData?.id}`,
          '/tg_info',
          '/whitelist sorted',
          '',
        ].join('\n'),
      );
      await done;
      expect(written).toContain('Entry #1');
      expect(written).toContain('Long trades only.');
      expect(written).toContain('entry_signal_strength');
      expect(written).toContain('"console:demo"');
      expect(written).toContain([...fake.state.whitelist].sort().join(', '));
      expect(written).not.toMatch(/went wrong|Unknown command/);
    } finally {
      await app.stop();
      await fake.close();
    }
  });
});

describe('the new commands as Discord slash commands', () => {
  it('registers each with typed options', async () => {
    const body = toSlashCommands(await loadCommands(), { multipleBots: false });
    const options = (name: string) => {
      const command = body.find((entry) => entry.name === name);
      if (!command) throw new Error(`no slash command /${name}`);
      return (command.options ?? []).map((entry) => ({
        name: entry.name,
        type: entry.type,
        required: 'required' in entry ? entry.required : undefined,
      }));
    };
    expect(options('list_custom_data')).toEqual([
      { name: 'trade_id', type: 4, required: true },
      { name: 'key', type: 3, required: false },
    ]);
    expect(options('order')).toEqual([{ name: 'trade_id', type: 3, required: false }]);
    expect(options('whitelist')).toEqual([{ name: 'options', type: 3, required: false }]);
    expect(options('balance')[0]).toMatchObject({ name: 'mode', type: 3 });
    for (const name of ['profit_long', 'profit_short', 'tg_info']) expect(options(name)).toEqual([]);
  });
});
