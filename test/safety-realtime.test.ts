import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN,
  GROUP_CHAT,
  type Harness,
  STRANGER,
  startHarness,
  telegramOf,
  until,
  VIEWER,
} from './support/harness.js';
import { startHungServer } from './fakes/hung-freqtrade.js';

const hungBot = (url: string) => ({
  name: 'hung',
  api_url: url,
  username: 'freqtrader',
  password: 'hung-pass',
  timeout_ms: 10_000,
});

let harness: Harness | undefined;
let hung: Server | undefined;
afterEach(async () => {
  hung?.closeAllConnections();
  hung?.close();
  await harness?.close();
  harness = undefined;
  hung = undefined;
});

/** Queues a text message as Telegram would deliver it, dated `ageS` seconds ago. */
function pushOldMessage(h: Harness, text: string, ageS: number, userId = ADMIN): number {
  const command = /^\/\S+/.exec(text)?.[0] ?? '';
  return h.telegram.pushUpdate({
    message: {
      message_id: 50_000 + Math.floor(Math.random() * 10_000),
      from: { id: userId, is_bot: false, first_name: 'Old' },
      chat: { id: GROUP_CHAT, type: 'supergroup', title: 'Group' },
      date: Math.floor(Date.now() / 1000) - ageS,
      text,
      entities: [{ type: 'bot_command', offset: 0, length: command.length }],
    },
  });
}

describe('a hung Freqtrade blocks nothing', () => {
  it('answers the healthy bot and confirms its orders at once while commands to the hung bot wait', async () => {
    const started = await startHungServer();
    hung = started.server;
    harness = await startHarness({ extraBots: [hungBot(started.url)] });
    const h = harness;
    const id = h.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });

    // A confirmation prompt for the healthy bot, asked before the hung calls start.
    const [prompt] = await h.say(`/forceexit ${id} bot=main`);
    expect(JSON.stringify(prompt?.reply_markup)).toContain('Confirm');

    // Three commands to the hung bot: two in the group, one in the admin's private chat.
    h.telegram.sendText({
      chatId: GROUP_CHAT,
      userId: ADMIN,
      text: '/status bot=hung',
      chatType: 'supergroup',
    });
    h.telegram.sendText({
      chatId: GROUP_CHAT,
      userId: ADMIN,
      text: '/profit bot=hung',
      chatType: 'supergroup',
    });
    h.telegram.sendText({ chatId: ADMIN, userId: ADMIN, text: '/status bot=hung', chatType: 'private' });
    await until(() => started.requests.length >= 1, 5_000, 'the hung bot to be called');

    // /status to the healthy bot, in the same chat and in the other one.
    const before = Date.now();
    const [sameChat] = await h.say('/status bot=main');
    expect(Date.now() - before).toBeLessThan(1_000);
    expect(sameChat?.text).toContain('BTC/USDT');
    const beforePrivate = Date.now();
    const [privateChat] = await h.say('/status bot=main', { chatId: ADMIN, chatType: 'private' });
    expect(Date.now() - beforePrivate).toBeLessThan(1_000);
    expect(privateChat?.text).toContain('BTC/USDT');

    // The Confirm for the healthy bot reaches it within a second.
    const pressedAt = Date.now();
    await h.press(prompt!, 'Confirm');
    const exit = h.freqtrade.requests.find((request) => request.path === '/forceexit');
    expect(exit).toBeDefined();
    expect(Date.now() - pressedAt).toBeLessThan(1_000);
    expect(h.telegram.message(prompt!.chat_id, prompt!.message_id)?.text).toContain('Exit requested');
  });

  it('/bots answers within its deadline and calls the hung bot "not answering"', async () => {
    const started = await startHungServer();
    hung = started.server;
    harness = await startHarness({ extraBots: [hungBot(started.url)] });
    const before = Date.now();
    const [reply] = await harness.say('/bots');
    expect(Date.now() - before).toBeLessThan(6_000);
    expect(reply?.text).toMatch(/hung\s+not answering/);
    expect(reply?.text).toMatch(/main\s+running/);
  });
});

describe('stale commands', () => {
  it('refuses a state-changing command sent hours ago, saying when, and calls nothing', async () => {
    harness = await startHarness();
    const h = harness;
    const before = h.telegram.messages.length;
    pushOldMessage(h, '/pause', 6 * 3600);
    await h.telegram.waitForMessages(before + 1, 8_000);
    const reply = h.telegram.messages[before];
    expect(reply?.text).toContain(
      'Ignored /pause sent 6h ago while I was offline; send it again if you still want it.',
    );
    expect(h.stateChangingCalls()).toEqual([]);
    // A read command of the same age is still answered.
    pushOldMessage(h, '/count', 6 * 3600);
    await h.telegram.waitForMessages(before + 2, 8_000);
    expect(h.telegram.messages[before + 1]?.text).not.toContain('Ignored');
    // The refusal is audited.
    const [audit] = await h.say('/audit kind=all');
    expect(audit?.text).toMatch(/pause\s.*expired/);
  });

  it('refuses commands that waited while the bot was stopped, after it starts again', async () => {
    harness = await startHarness();
    const h = harness;
    await h.app.stop();
    pushOldMessage(h, '/stopentry', 3 * 3600);
    pushOldMessage(h, '/reload_config', 3 * 3600);
    const before = h.telegram.messages.length;
    const { startApp } = await import('../src/main.js');
    const { createSilentLogger } = await import('../src/logger.js');
    h.app = await startApp({ config: h.config, logger: createSilentLogger() });
    await h.telegram.waitForMessages(before + 2, 8_000);
    const texts = h.telegram.messages.slice(before).map((message) => message.text);
    expect(texts).toEqual([
      expect.stringContaining('Ignored /pause sent 3h ago'),
      expect.stringContaining('Ignored /reload_config sent 3h ago'),
    ]);
    expect(h.stateChangingCalls()).toEqual([]);
  });
});

describe("a chat's bots list", () => {
  it('limits commands to those bots: default, bot= and /use', async () => {
    const started = await startHungServer();
    hung = started.server;
    harness = await startHarness({
      extraBots: [hungBot(started.url)],
      telegram: {
        chats: [
          {
            chat_id: String(GROUP_CHAT),
            topic_id: null,
            bots: ['main'],
            notifications: Object.fromEntries(
              ['entry', 'exit', 'status', 'warning'].map((type) => [type, 'off']),
            ),
          },
        ],
      },
    });
    const h = harness;
    const [refused] = await h.say('/status bot=hung');
    expect(refused?.text).toContain('This chat may only use main; hung is not one of them.');
    const [use] = await h.say('/use hung');
    expect(use?.text).toContain('This chat may only use main');
    const [viewerUse] = await h.say('/use main', { userId: VIEWER });
    expect(viewerUse?.text).toContain('not allowed');
    const [count] = await h.say('/count');
    expect(count?.text).toContain('[main]');
    // No command was ever sent to the bot outside the chat's list.
    expect(started.requests.filter((request) => !request.includes('/token/'))).toEqual([]);
    // /use by an admin is audited with its argument.
    await h.say('/use main');
    const [audit] = await h.say('/audit');
    expect(audit?.text).toMatch(/use name=main/);
  });
});

describe('refusals', () => {
  it('answers a stranger in a private chat every time, in a group at most once a minute', async () => {
    harness = await startHarness();
    const h = harness;
    for (let i = 0; i < 3; i += 1) {
      const [reply] = await h.say('/status', { userId: STRANGER, chatId: STRANGER, chatType: 'private' });
      expect(reply?.text).toContain('not allowed');
    }
    const [first] = await h.say('/forceexit 1', { userId: VIEWER });
    expect(first?.text).toContain('not allowed');
    const second = await h.say('/forceexit 1', { userId: VIEWER, replies: 0 });
    expect(second).toEqual([]);
    expect(h.logs.some((line) => line.includes('refusal reply held back'))).toBe(true);
  });

  it('keeps every admin action in /audit after 3,000 refused messages from strangers', async () => {
    harness = await startHarness();
    const h = harness;
    await h.say('/stopentry');
    await h.say('/reload_config');
    let last = 0;
    for (let i = 0; i < 3_000; i += 1) {
      last = h.telegram.sendText({
        chatId: GROUP_CHAT,
        userId: STRANGER + (i % 50),
        text: `/forceexit ${i}`,
        chatType: 'supergroup',
      });
    }
    await telegramOf(h.app)?.whenHandled(last);
    const [audit] = await h.say('/audit 50');
    expect(audit?.text).toMatch(/pause\s+ok/);
    expect(audit?.text).toMatch(/reload_config\s+ok/);
    expect(audit?.text).toMatch(/\d+ refused attempts are logged too/);
    const [refusals] = await h.say('/audit 5 kind=refusals');
    expect(refusals?.text).toContain('denied');
  }, 60_000);
});

describe('arguments', () => {
  it('refuses a repeated key= and cuts long echoes', async () => {
    harness = await startHarness();
    const [repeated] = await harness.say('/trades n=1 n=2');
    expect(repeated?.text).toContain('n= was given more than once');
    expect(repeated?.text).toContain('Usage: /trades');
    const long = 'x'.repeat(500);
    const [unknown] = await harness.say(`/${'a'.repeat(30)} bot=${long}`);
    expect(unknown?.text.length).toBeLessThan(200);
    const [bot] = await harness.say(`/status bot=${long}`);
    expect(bot?.text).toContain('Unknown bot');
    expect(bot?.text).not.toContain(long);
  });
});
