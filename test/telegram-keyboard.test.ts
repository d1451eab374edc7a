/**
 * `telegram.keyboard`: the optional reply keyboard, as Freqtrade's. Entries are checked against the
 * command registry when the config is loaded (read-only commands and argument-less pickers only,
 * the refused entry named); the keyboard goes with command replies over the fake Telegram, never
 * with notifications or on a message that carries inline buttons; a tap (its text) runs the command.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCommands } from '../src/chat/commands/index.js';
import { ConfigError } from '../src/errors.js';
import type { PlatformDeps } from '../src/platform/chat-platform.js';
import { keyboardProblems, telegramReplyKeyboard } from '../src/telegram/keyboard.js';
import { telegramPlatform } from '../src/telegram/platform.js';
import { startFakeTelegram } from './fakes/fake-telegram.js';
import { loadConfig } from './support/config.js';
import { GROUP_CHAT, type Harness, startHarness, telegramOf, VIEWER } from './support/harness.js';

/** Freqtrade's documented example keyboard: /reload_config on it changes state. */
const FREQTRADE_EXAMPLE = [
  ['/daily', '/stats', '/balance', '/profit'],
  ['/status table', '/performance'],
  ['/reload_config', '/count', '/logs'],
];
/** Freqtrade's default keyboard: /start and /stop change state. */
const FREQTRADE_DEFAULT = [
  ['/daily', '/profit', '/balance'],
  ['/status', '/status table', '/performance'],
  ['/count', '/start', '/stop', '/help'],
];
const READ_ONLY_KEYBOARD = [
  ['/count', '/version', '/help'],
  ['/status table', '/forceexit'],
];

describe('telegram.keyboard entries', () => {
  it('refuses every command that changes state, naming the entry', async () => {
    const commands = await loadCommands();
    expect(keyboardProblems(FREQTRADE_EXAMPLE, commands)).toEqual([
      'telegram.keyboard.2.0: "/reload_config" changes state; the keyboard takes only read-only commands and pickers',
    ]);
    expect(keyboardProblems(FREQTRADE_DEFAULT, commands)).toEqual([
      'telegram.keyboard.2.1: "/start" changes state; the keyboard takes only read-only commands and pickers',
      'telegram.keyboard.2.2: "/stop" changes state; the keyboard takes only read-only commands and pickers',
    ]);
  });

  it('takes read-only commands and argument-less pickers, and refuses their acting forms and unknown commands', async () => {
    const commands = await loadCommands();
    expect(
      keyboardProblems(
        [
          ['/forceexit', '/forcelong', '/delete', '/blacklist', '/whitelist', '/status table', '/profit 7'],
          ['/tg_info', '/whoami', '/locks', '/daily 3', '/balance bot=main', '/status bot=all'],
        ],
        commands,
      ),
    ).toEqual([]);
    const problems = keyboardProblems(
      [
        ['/forceexit all', '/blacklist DOGE/USDT'],
        ['/nope', 'status', '/use main', '/mute'],
        ['/forceexit bot=all'],
      ],
      commands,
    );
    expect(problems).toEqual([
      'telegram.keyboard.0.0: "/forceexit all" changes state; the keyboard takes only read-only commands and pickers',
      'telegram.keyboard.0.1: "/blacklist DOGE/USDT" changes state; the keyboard takes only read-only commands and pickers',
      'telegram.keyboard.1.0: "/nope": there is no command /nope',
      'telegram.keyboard.1.1: "status" is not a command; a button is a command line such as "/status table"',
      'telegram.keyboard.1.2: "/use main" changes state; the keyboard takes only read-only commands and pickers',
      'telegram.keyboard.1.3: "/mute" changes state; the keyboard takes only read-only commands and pickers',
      'telegram.keyboard.2.0: "/forceexit bot=all": /forceexit does not answer for all bots at once',
    ]);
  });

  it('is refused when the config file is loaded, naming the entry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ftc-keyboard-'));
    try {
      const path = join(dir, 'config.json');
      const raw = {
        bots: [{ name: 'main', api_url: 'http://127.0.0.1:9', username: 'u', password: 'p' }],
        telegram: {
          enabled: true,
          token: '123456:TEST-token-abcdef',
          chats: [{ chat_id: '-100123' }],
          keyboard: FREQTRADE_DEFAULT,
        },
        access: { admins: ['telegram:1001'] },
        store: { path: join(dir, 'state.json') },
      };
      await writeFile(path, JSON.stringify(raw));
      const error = await loadConfig(path).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(`${path} is invalid (2 problems):`);
      expect((error as ConfigError).problems).toEqual([
        'telegram.keyboard.2.1: "/start" changes state; the keyboard takes only read-only commands and pickers',
        'telegram.keyboard.2.2: "/stop" changes state; the keyboard takes only read-only commands and pickers',
      ]);
      // An empty row is refused by the schema itself; a good keyboard loads.
      await writeFile(path, JSON.stringify({ ...raw, telegram: { ...raw.telegram, keyboard: [[]] } }));
      await expect(loadConfig(path)).rejects.toThrow(
        /telegram\.keyboard\.0: a keyboard row needs at least one button/,
      );
      await writeFile(
        path,
        JSON.stringify({ ...raw, telegram: { ...raw.telegram, keyboard: READ_ONLY_KEYBOARD } }),
      );
      const config = await loadConfig(path);
      expect(config.sections['telegram']).toMatchObject({ keyboard: READ_ONLY_KEYBOARD });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is checked again by the platform against the commands really registered', async () => {
    const commands = (await loadCommands()).filter((command) => command.name !== 'count');
    const deps = { router: { commands: () => commands } } as unknown as PlatformDeps;
    const section = {
      enabled: true,
      token: '123456:TEST-token-abcdef',
      chats: [],
      keyboard: [['/count']],
    };
    await expect(telegramPlatform.create(section, deps)).rejects.toThrow(
      'telegram.keyboard.0.0: "/count": there is no command /count',
    );
  });
});

describe('the fake Telegram and reply keyboards', () => {
  it('takes KeyboardButton objects or strings, and refuses what the Bot API refuses', async () => {
    const telegram = await startFakeTelegram();
    try {
      const call = async (method: string, body: Record<string, unknown>) =>
        (await fetch(`${telegram.apiRoot}/bot${telegram.token}/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((response) => response.json())) as { ok: boolean; description?: string };
      const send = (reply_markup: unknown) => call('sendMessage', { chat_id: 42, text: 'hi', reply_markup });
      expect((await send({ keyboard: [[{ text: '/count' }, '/help']], resize_keyboard: true })).ok).toBe(
        true,
      );
      expect(telegram.replyKeyboard(42)).toEqual({
        keyboard: [[{ text: '/count' }, '/help']],
        resize_keyboard: true,
      });
      expect(await send({ keyboard: ['/count'] })).toMatchObject({
        ok: false,
        description: expect.stringContaining('Array of Arrays'),
      });
      expect(await send({ keyboard: [[{ label: '/count' }]] })).toMatchObject({
        ok: false,
        description: expect.stringContaining('"text"'),
      });
      expect(await send({ keyboard: [[7]] })).toMatchObject({
        ok: false,
        description: expect.stringContaining('String or an Object'),
      });
      expect(await send({ keyboard: [['/count']], resize_keyboard: 'yes' })).toMatchObject({ ok: false });
      // An edit takes an inline keyboard only; the reply keyboard stays with the chat.
      const [sent] = telegram.messages;
      const edit = await call('editMessageText', {
        chat_id: 42,
        message_id: sent?.message_id,
        text: 'edited',
        reply_markup: { keyboard: [['/count']] },
      });
      expect(edit).toMatchObject({ ok: false, description: 'Bad Request: inline keyboard expected' });
      expect(
        (await call('editMessageText', { chat_id: 42, message_id: sent?.message_id, text: 'edited' })).ok,
      ).toBe(true);
      expect((await send({ remove_keyboard: true })).ok).toBe(true);
      expect(telegram.replyKeyboard(42)).toBeUndefined();
    } finally {
      await telegram.close();
    }
  });
});

describe('the reply keyboard over Telegram', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  const expected = {
    keyboard: READ_ONLY_KEYBOARD.map((row) => row.map((text) => ({ text }))),
    resize_keyboard: true,
  };

  it('arrives with a command reply, and a tap on a button runs its command', async () => {
    harness = await startHarness({ telegram: { keyboard: READ_ONLY_KEYBOARD } });
    expect(telegramReplyKeyboard(READ_ONLY_KEYBOARD)).toEqual(expected);
    const [whoami] = await harness.say('/whoami');
    expect(whoami?.reply_markup).toEqual(expected);
    expect(harness.telegram.replyKeyboard(GROUP_CHAT)).toEqual(expected);

    // A tap sends the button's text as a message, from anyone in the chat.
    const [version] = await harness.say('/version', { userId: VIEWER });
    expect(version?.text).toContain('Freqtrade: ');
    expect(version?.reply_markup).toEqual(expected);
    const [table] = await harness.say('/status table', { userId: VIEWER });
    expect(table?.text).toMatch(/no open trades/i);
  });

  it('is not put on a message with inline buttons, nor on notifications', async () => {
    harness = await startHarness({ telegram: { keyboard: READ_ONLY_KEYBOARD } });
    // /count has a Refresh button: one reply_markup per message, so the inline keyboard wins.
    const [count] = await harness.say('/count');
    expect(count?.text).toContain('Trade count');
    expect(count?.reply_markup).toMatchObject({ inline_keyboard: expect.any(Array) });
    expect(count?.reply_markup).not.toHaveProperty('keyboard');
    const before = harness.telegram.messages.length;
    await telegramOf(harness.app)?.send(
      { chatId: String(GROUP_CHAT), threadId: null },
      { title: 'Exited BTC/USDT', tone: 'profit', blocks: [{ kind: 'text', text: '+1.00%' }] },
    );
    const notification = harness.telegram.messages[before];
    expect(notification?.text).toContain('Exited BTC/USDT');
    expect(notification?.reply_markup).toBeUndefined();
  });

  it('is not sent when none is configured', async () => {
    harness = await startHarness();
    const [whoami] = await harness.say('/whoami');
    expect(whoami?.text).toContain('Role: admin');
    expect(whoami?.reply_markup).toBeUndefined();
    expect(harness.telegram.replyKeyboard(GROUP_CHAT)).toBeUndefined();
  });
});
