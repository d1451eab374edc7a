/**
 * The platform seam: everything platform-shaped (access entries, config sections, allowed chats,
 * notification targets, outboxes) comes from the list of platforms, so a new platform is its own
 * module plus one entry in main.ts's PLATFORMS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Reply } from '../src/chat/reply.js';
import { renderPlainText } from '../src/chat/reply.js';
import type { Platform } from '../src/chat/types.js';
import { parseConfig } from '../src/config/load.js';
import { chatTargetFields } from '../src/config/schema.js';
import { createSilentLogger } from '../src/logger.js';
import { type App, PLATFORMS, startApp } from '../src/main.js';
import { type ChatPlatform, definePlatform } from '../src/platform/chat-platform.js';
import { startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { until } from './support/harness.js';

const bots = [{ name: 'main', api_url: 'http://127.0.0.1:8080', username: 'u', password: 'p4ssword' }];

/** Type-level check that the Platform type is exactly the names in PLATFORMS. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const platformNamesMatch: Equal<Platform, 'telegram' | 'discord' | 'console' | 'webhook'> = true;

let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe('the platform list', () => {
  it('ties the Platform type to PLATFORMS and gives each platform with users an access prefix', () => {
    expect(platformNamesMatch).toBe(true);
    expect(PLATFORMS.map((platform) => platform.name)).toEqual(['telegram', 'discord', 'console', 'webhook']);
    const config = parseConfig(
      { bots, access: { admins: ['telegram:1', 'discord:2', 'console:demo'] } },
      PLATFORMS,
    );
    expect(config.access.admins).toEqual(['telegram:1', 'discord:2', 'console:demo']);
    // Webhooks take no commands, so nobody is a webhook user.
    expect(() => parseConfig({ bots, access: { admins: ['webhook:1'] } }, PLATFORMS)).toThrow(
      'access.admins.0: expected "<platform>:<user id>" where platform is telegram, discord or console, e.g. "telegram:11111"',
    );
  });

  it('takes a new platform from its own module alone: config section, access, allowed chats and notifications', async () => {
    const sent: Array<{ chatId: string; text: string }> = [];
    // A platform outside PLATFORMS has no name in the Platform type; at runtime nothing else needs one.
    const memoName = 'memo' as Platform;
    const memoPlatform = definePlatform({
      name: memoName,
      access: { idPattern: '[a-z]+', exampleId: 'alice' },
      pacing: { globalPerSecond: 100, chatIntervalMs: () => 0 },
      commands: true,
      config: {
        key: 'memos',
        schema: z.array(z.strictObject({ name: z.string(), ...chatTargetFields })).default([]),
        enabled: (section) => section.length > 0,
        chats: (section) =>
          section.map((memo, index) => ({
            platform: memoName,
            chatId: memo.name,
            threadId: null,
            notifications: memo.notifications,
            configPath: ['memos', index],
          })),
        create: (): ChatPlatform => ({
          name: memoName,
          async start() {},
          async stop() {},
          async send(chat, reply: Reply) {
            sent.push({ chatId: chat.chatId, text: renderPlainText(reply) });
          },
        }),
      },
    });
    const platforms = [...PLATFORMS, memoPlatform];
    const freqtrade = await startFakeFreqtrade();
    try {
      const config = parseConfig(
        {
          bots: [
            {
              name: 'main',
              api_url: freqtrade.url,
              username: 'freqtrader',
              password: 'secret-pass',
              ws_token: 'ws-secret-token',
            },
          ],
          memos: [{ name: 'inbox', notifications: { strategy_msg: 'on' } }],
          access: { admins: ['memo:alice'] },
        },
        platforms,
      );
      expect(config.chats).toEqual([
        expect.objectContaining({ platform: 'memo', chatId: 'inbox', threadId: null }),
      ]);
      app = await startApp({
        config,
        logger: createSilentLogger(),
        storePath: null,
        platforms,
        streamBackoff: { initialMs: 20, maxMs: 200 },
      });
      expect(app.platforms.map((platform) => platform.name)).toEqual(['memo']);
      await until(
        () => freqtrade.wsConsumers().some((consumer) => consumer.subscribed.length > 0),
        5000,
        'subscribed',
      );
      freqtrade.emit({ type: 'strategy_msg', msg: 'hello memo' });
      await until(() => sent.some((message) => message.text.includes('hello memo')), 5000, 'the memo');
      expect(sent[0]?.chatId).toBe('inbox');
    } finally {
      await app?.stop();
      app = undefined;
      await freqtrade.close();
    }
  });
});
