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
  // A 429 burst and secrets are covered for every platform by test/contract/notifications.contract.ts.
});
