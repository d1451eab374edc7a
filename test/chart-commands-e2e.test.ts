/**
 * /chart end to end (issue 15): every kind through the real bot on Telegram and Discord arrives as
 * a PNG that is decoded and looked at (size, colours, ink; green and red bars for a mixed week),
 * the candle chart asks /pair_candles for the pair and timeframe, strangers get nothing and cause
 * no Freqtrade call, and the "📈 Chart" button of /daily works for the asker only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoState } from '../src/simulator/demo-seed.js';
import { buttonId, buttonLabels, textOf } from './support/discord-text.js';
import {
  CHANNEL,
  type DiscordHarness,
  GUILD,
  STRANGER as DISCORD_STRANGER,
  VIEWER as DISCORD_VIEWER,
  startDiscordHarness,
} from './support/discord-harness.js';
import { ADMIN, GROUP_CHAT, type Harness, STRANGER, startHarness, until, VIEWER } from './support/harness.js';
import { type PixelStats, pngPixels } from './support/png-pixels.js';

/** Decodes a PNG and counts what a reader would see: size, colours, ink, green and red. */
const pixels = (png: Uint8Array | undefined) => pngPixels(png);

/** A chart worth looking at: large enough, several colours, a sensible share of ink (not blank, not a flood). */
function expectReadableChart(stats: PixelStats): void {
  expect(stats.width).toBeGreaterThanOrEqual(600);
  expect(stats.height).toBeGreaterThanOrEqual(300);
  expect(stats.colours).toBeGreaterThan(8);
  expect(stats.inked).toBeGreaterThan(0.01);
  expect(stats.inked).toBeLessThan(0.9);
}

const KINDS = ['daily', 'weekly', 'monthly', 'profit', 'performance', 'BTC/USDT'] as const;

describe('/chart on Telegram', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ seed: 'demo' });
  });
  afterAll(async () => {
    await harness.close();
  });

  it.each(KINDS)(
    '/chart %s arrives as a readable PNG photo with a caption',
    async (kind) => {
      const [reply] = await harness.say(`/chart ${kind}`, { userId: VIEWER });
      expect(reply?.method).toBe('sendPhoto');
      expect(reply?.text).toMatch(/^📈 /);
      expect(reply?.text).not.toMatch(/went wrong|refused|not available/);
      expect(reply?.photo?.fileName).toMatch(/^chart-[A-Za-z0-9-]+\.png$/);
      expectReadableChart(await pixels(reply?.photo?.bytes));
    },
    30_000,
  );

  it('draws a mixed week of days in green and red, the total in the caption', async () => {
    const [reply] = await harness.say('/chart daily 7', { userId: VIEWER });
    expect(reply?.text).toMatch(/📈 Daily profit \(7 days\)/);
    expect(reply?.text).toMatch(/Total: [+-]\d/);
    const stats = await pixels(reply?.photo?.bytes);
    expect(stats.green).toBeGreaterThan(200);
    expect(stats.red).toBeGreaterThan(200);
  }, 30_000);

  it('asks /pair_candles for the pair and timeframe (the strategy’s by default), about 150 candles', async () => {
    const before = harness.freqtrade.requests.length;
    await harness.say('/chart eth/usdt 5m', { userId: VIEWER });
    await harness.say('/chart BTC/USDT', { userId: VIEWER });
    const candleCalls = harness.freqtrade.requests.slice(before).filter((r) => r.path === '/pair_candles');
    expect(candleCalls.map((call) => call.query)).toEqual([
      { pair: 'ETH/USDT', timeframe: '5m', limit: '150' },
      { pair: 'BTC/USDT', timeframe: harness.freqtrade.state.timeframe, limit: '150' },
    ]);
    const paths = harness.freqtrade.requests.slice(before).map((r) => r.path);
    expect(paths).toContain('/show_config');
    expect(paths).toContain('/status');
    expect(paths).toContain('/trades');
  }, 30_000);

  it('a pair Freqtrade has no candles of gets the empty-state picture and says why', async () => {
    const [reply] = await harness.say('/chart DOGE/USDT 1h', { userId: VIEWER });
    expect(reply?.method).toBe('sendPhoto');
    expect(reply?.text).toContain('Freqtrade has no analysed candles of DOGE/USDT at 1h');
    expectReadableChart(await pixels(reply?.photo?.bytes));
  }, 30_000);

  it('/chart nonsense lists the kinds and calls nothing', async () => {
    const before = harness.freqtrade.requests.length;
    const [reply] = await harness.say('/chart nonsense', { userId: VIEWER });
    expect(reply?.method).toBe('sendMessage');
    expect(reply?.text).toContain(
      'Bad kind "nonsense": expected daily, weekly, monthly, profit, performance',
    );
    expect(reply?.text).toContain('Usage: /chart [kind]');
    expect(harness.freqtrade.requests.length).toBe(before);
    const [badTimeframe] = await harness.say('/chart BTC/USDT 7x', { userId: VIEWER });
    expect(badTimeframe?.text).toContain('Bad n "7x"');
  });

  it('a stranger gets no chart and causes no Freqtrade call; in a chat we do not serve, nothing at all', async () => {
    const before = harness.freqtrade.requests.length;
    const replies = await harness.say('/chart daily', { userId: STRANGER, replies: 0 });
    expect(replies.map((reply) => [reply.method, reply.text])).toEqual([
      ['sendMessage', 'You are not allowed to do that here.'],
    ]);
    const elsewhere = await harness.say('/chart profit', { userId: STRANGER, chatId: -100999, replies: 0 });
    expect(elsewhere).toEqual([]);
    expect(harness.freqtrade.requests.length).toBe(before);
  });

  it('the Chart button of /daily sends the chart as a new photo for the asker, and refuses anyone else', async () => {
    const [daily] = await harness.say('/daily 5', { userId: VIEWER });
    if (!daily) throw new Error('no /daily reply');
    expect(daily.method).toBe('sendMessage');
    const refused = await harness.press(daily, 'Chart', { userId: ADMIN });
    expect(refused).toEqual({ notice: 'Only the user who asked can use these buttons.', alert: true });
    const sent = harness.telegram.messages.length;
    await harness.press(daily, 'Chart', { userId: VIEWER });
    await until(() => harness.telegram.messages.length > sent, 15_000, 'the chart photo');
    const photo = harness.telegram.messages.at(-1);
    expect(photo?.method).toBe('sendPhoto');
    expect(photo?.text).toContain('📈 Daily profit (5 days)');
    expectReadableChart(await pixels(photo?.photo?.bytes));
    // The /daily table stays as it was.
    const table = harness.telegram.message(GROUP_CHAT, daily.message_id);
    expect(table?.edits).toBe(0);
    expect(table?.photo).toBeUndefined();
  }, 30_000);

  it('/profit and /performance carry a Chart button beside Refresh', async () => {
    for (const command of ['/profit', '/performance', '/weekly', '/monthly']) {
      const [reply] = await harness.say(command, { userId: VIEWER });
      const labels = JSON.stringify(reply?.reply_markup);
      expect(labels).toContain('📈 Chart');
      expect(labels).toContain('Refresh');
    }
  });

  it('Refresh on a chart draws it again in place', async () => {
    const [chart] = await harness.say('/chart performance', { userId: VIEWER });
    if (!chart) throw new Error('no chart');
    await harness.press(chart, 'Refresh', { userId: VIEWER });
    const now = harness.telegram.message(GROUP_CHAT, chart.message_id);
    expect(now?.edits).toBe(1);
    expectReadableChart(await pixels(now?.photo?.bytes));
  }, 30_000);

  it('/help and the command menu list /chart', async () => {
    const [help] = await harness.say('/help', { userId: VIEWER });
    expect(help?.text).toContain('/chart');
    await until(() => harness.telegram.commands().length > 0, 5_000, 'setMyCommands');
    expect(harness.telegram.commands().map((command) => command.command)).toContain('chart');
  });
});

describe('/chart on Discord', () => {
  let harness: DiscordHarness;
  beforeAll(async () => {
    harness = await startDiscordHarness();
    harness.freqtrade.state = createDemoState({
      botName: 'freqtrade',
      stakeCurrency: 'USDT',
      nowMs: harness.freqtrade.now(),
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('registers /chart with typed options: kind (autocomplete, daily by default), n (integer), pair, timeframe', () => {
    const chart = harness.discord.registeredCommands(GUILD).find((command) => command['name'] === 'chart') as
      | { options: Array<Record<string, unknown>> }
      | undefined;
    const byName = Object.fromEntries((chart?.options ?? []).map((option) => [option['name'], option]));
    expect(byName['kind']).toMatchObject({ type: 3, required: false, autocomplete: true });
    expect(byName['n']).toMatchObject({ type: 4, required: false });
    expect(byName['pair']).toMatchObject({ type: 3, required: false, autocomplete: true });
    expect(byName['timeframe']).toMatchObject({ type: 3, required: false });
  });

  it('suggests the kinds and the whitelisted pairs for kind', async () => {
    const choices = await harness.autocomplete(
      'chart',
      { name: 'kind', value: '' },
      {},
      { userId: DISCORD_VIEWER },
    );
    const values = choices.map((choice) => choice.value);
    expect(values.slice(0, 5)).toEqual(['daily', 'weekly', 'monthly', 'profit', 'performance']);
    expect(values).toContain('BTC/USDT');
  });

  it.each(KINDS)(
    '/chart kind:%s arrives as a readable PNG attachment with its alt text',
    async (kind) => {
      const { view } = await harness.command('chart', { kind }, { userId: DISCORD_VIEWER });
      const original = view.original;
      expect(textOf(original)).toMatch(/📈 /);
      expect(original?.attachments).toHaveLength(1);
      const attachment = original?.attachments[0];
      expect(attachment?.description?.length ?? 0).toBeGreaterThan(20);
      expect(original?.embeds[0]?.['image']).toEqual({ url: `attachment://${attachment?.filename}` });
      expectReadableChart(await pixels(attachment?.bytes));
    },
    30_000,
  );

  it('the candle chart asks /pair_candles with the pair and the timeframe option', async () => {
    const before = harness.freqtrade.requests.length;
    await harness.command(
      'chart',
      { kind: 'candles', pair: 'ETH/USDT', timeframe: '5m' },
      { userId: DISCORD_VIEWER },
    );
    const calls = harness.freqtrade.requests.slice(before).filter((r) => r.path === '/pair_candles');
    expect(calls.map((call) => call.query)).toEqual([{ pair: 'ETH/USDT', timeframe: '5m', limit: '150' }]);
  }, 30_000);

  it('a stranger gets nothing and causes no Freqtrade call', async () => {
    const before = harness.freqtrade.requests.length;
    const { view } = await harness.command('chart', { kind: 'daily' }, { userId: DISCORD_STRANGER });
    expect(view.original?.attachments ?? []).toEqual([]);
    expect(harness.freqtrade.requests.length).toBe(before);
  });

  it('the Chart button of /daily sends the chart to the asker as a new message; others are refused', async () => {
    const { view } = await harness.command('daily', { n: 5 }, { userId: DISCORD_VIEWER });
    const daily = view.original;
    expect(buttonLabels(daily)).toEqual(['📈 Chart', '🔄 Refresh']);
    const chartButton = buttonId(daily, 'Chart');
    const stranger = await harness.press(daily?.id ?? '', chartButton, { userId: DISCORD_STRANGER });
    expect(stranger.view.followUps.map((message) => message.attachments.length)).toEqual([0]);
    const before = harness.discord.messages.length;
    const pressed = await harness.press(daily?.id ?? '', chartButton, { userId: DISCORD_VIEWER });
    const sent = pressed.view.followUps.at(-1);
    expect(textOf(sent)).toContain('📈 Daily profit (5 days)');
    expect(sent?.attachments).toHaveLength(1);
    expectReadableChart(await pixels(sent?.attachments[0]?.bytes));
    expect(harness.discord.messages.length).toBeGreaterThan(before);
    // The /daily message keeps its table and has no picture.
    expect(harness.discord.message(daily?.id ?? '')?.attachments).toEqual([]);
    expect(harness.discord.message(daily?.id ?? '')?.channel_id).toBe(CHANNEL);
  }, 30_000);
});
