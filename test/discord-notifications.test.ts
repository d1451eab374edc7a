import { afterEach, describe, expect, it } from 'vitest';
import { TONE_COLORS } from '../src/discord/render.js';
import {
  CHANNEL,
  type DiscordHarness,
  OTHER_CHANNEL,
  startDiscordHarness,
} from './support/discord-harness.js';
import { exitFillFrame, tradeFrame } from './support/frames.js';
import { until } from './support/harness.js';

let harness: DiscordHarness | undefined;
afterEach(async () => {
  const current = harness;
  harness = undefined;
  if (!current) return;
  try {
    expect(current.discord.count400).toBe(0);
  } finally {
    await current.close();
  }
});

const exitFill = (tradeId: number, pair: string, ratio: number) =>
  exitFillFrame(tradeId, pair, ratio >= 0 ? 'roi' : 'stop_loss', ratio);

const channelPosts = (h: DiscordHarness, channel: string) =>
  h.discord.messages.filter((m) => m.channel_id === channel && m.via === 'channel');
const colours = (h: DiscordHarness, channel: string) =>
  channelPosts(h, channel).flatMap((m) => m.embeds.map((embed) => embed['color']));
const embedText = (h: DiscordHarness, channel: string) =>
  channelPosts(h, channel)
    .flatMap((m) => m.embeds.map((embed) => JSON.stringify(embed)))
    .join('\n');

async function connected(h: DiscordHarness) {
  await until(() => h.app.streams.every((stream) => stream.state() === 'open'), 5000, 'websocket open');
  await until(
    () => h.freqtrade.wsConsumers().some((c) => c.subscribed.includes('entry')),
    5000,
    'subscription',
  );
}

describe('Discord channel notifications', () => {
  it('posts an entry as a blue embed and exits as green or red ones, only in the configured channel', async () => {
    harness = await startDiscordHarness();
    await connected(harness);
    harness.freqtrade.emit(tradeFrame('entry', 41, 'SOL/USDT'));
    await until(() => colours(harness!, CHANNEL).length === 1, 5000, 'entry embed');
    expect(colours(harness, CHANNEL)).toEqual([TONE_COLORS.entry]);
    expect(embedText(harness, CHANNEL)).toContain('SOL/USDT');

    harness.freqtrade.emit(exitFill(41, 'SOL/USDT', 0.03));
    await until(() => colours(harness!, CHANNEL).length === 2, 5000, 'profit embed');
    harness.freqtrade.emit(exitFill(42, 'ADA/USDT', -0.04));
    await until(() => colours(harness!, CHANNEL).length === 3, 5000, 'loss embed');
    expect(colours(harness, CHANNEL)).toEqual([TONE_COLORS.entry, TONE_COLORS.profit, TONE_COLORS.loss]);
    expect(embedText(harness, CHANNEL)).toMatch(/ADA\/USDT[\s\S]*-4\.00%/);
    expect(channelPosts(harness, OTHER_CHANNEL)).toEqual([]);
  });

  it('delays a burst while Discord answers 429, and loses nothing', async () => {
    harness = await startDiscordHarness();
    await connected(harness);
    harness.discord.fail429('POST /channels/:id/messages', 3, 0.3);
    for (let i = 0; i < 40; i += 1) harness.freqtrade.emit({ type: 'strategy_msg', msg: `burst #${i}` });
    await until(() => embedText(harness!, CHANNEL).includes('burst #39'), 20_000, 'the whole burst');
    const seen = [...embedText(harness, CHANNEL).matchAll(/burst #(\d+)/g)].map((m) => Number(m[1]));
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(harness.discord.count429).toBe(3);
  }, 30_000);

  it('never posts or logs a secret, including the websocket URL token', async () => {
    harness = await startDiscordHarness();
    await connected(harness);
    harness.freqtrade.emit(tradeFrame('entry', 51, 'XRP/USDT'));
    harness.freqtrade.dropWebsockets();
    await until(() => harness!.freqtrade.counts.wsConnections >= 2, 5000, 'reconnect');
    await until(() => colours(harness!, CHANNEL).length >= 1, 5000, 'a post');
    await harness.command('status');
    const everything = [
      ...harness.logs,
      ...harness.discord.messages.map((m) => JSON.stringify(m)),
      ...harness.discord.requests.map((r) => JSON.stringify(r.body ?? '')),
    ].join('\n');
    for (const secret of ['ws-secret-token', 'secret-pass', harness.discord.token]) {
      expect(everything).not.toContain(secret);
    }
  });
});
