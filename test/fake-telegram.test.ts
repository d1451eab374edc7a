import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, parseTelegramHtml, startFakeTelegram } from './fakes/fake-telegram.js';

interface ApiBody {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

let fake: FakeTelegram;

async function call(
  method: string,
  body: Record<string, unknown> = {},
  token = fake.token,
): Promise<ApiBody & { status: number }> {
  const res = await fetch(`${fake.apiRoot}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as ApiBody;
  return { ...json, status: res.status };
}

function resultOf<T>(body: ApiBody): T {
  expect(body.ok, body.description).toBe(true);
  return body.result as T;
}

const send = (text: string, extra: Record<string, unknown> = {}) =>
  call('sendMessage', { chat_id: 42, text, parse_mode: 'HTML', ...extra });

describe('fake Telegram over plain HTTP', () => {
  beforeEach(async () => {
    fake = await startFakeTelegram();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('serves getMe with the bot user on 127.0.0.1 without a trailing slash in apiRoot', async () => {
    expect(fake.apiRoot).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const me = resultOf<Record<string, unknown>>(await call('getMe'));
    expect(me).toMatchObject({
      id: 999000,
      is_bot: true,
      username: 'chatops_test_bot',
      first_name: 'ChatOps',
    });
  });

  it('answers 401 Unauthorized for another token and 404 Not Found for an unknown method', async () => {
    const unauthorized = await call('getMe', {}, '1:wrong');
    expect(unauthorized).toMatchObject({
      status: 401,
      ok: false,
      error_code: 401,
      description: 'Unauthorized',
    });
    const missing = await call('sendPigeon');
    expect(missing).toMatchObject({ status: 404, ok: false, error_code: 404, description: 'Not Found' });
    expect(fake.calls.map((c) => [c.method, c.status])).toEqual([
      ['getMe', 401],
      ['sendPigeon', 404],
    ]);
  });

  it('records an accepted HTML message with tags removed, entities decoded and the HTML as sent', async () => {
    const html = '<b>Exit</b> BTC/USDT &lt;0.5%&gt; &amp; <code>stop_loss</code> &#128640;';
    const message = resultOf<Record<string, unknown>>(
      await send(html, { message_thread_id: 7, disable_notification: true }),
    );
    expect(message).toMatchObject({ message_id: 1, chat: { id: 42, type: 'private' }, message_thread_id: 7 });
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]).toMatchObject({
      message_id: 1,
      chat_id: '42',
      text: 'Exit BTC/USDT <0.5%> & stop_loss 🚀',
      html,
      parse_mode: 'HTML',
      message_thread_id: 7,
      disable_notification: true,
      method: 'sendMessage',
    });
    expect(fake.messages[0]?.entities).toEqual([
      { type: 'bold', offset: 0, length: 4 },
      { type: 'code', offset: 23, length: 9 },
    ]);
  });

  it('numbers messages per chat, like Telegram', async () => {
    await send('one');
    await send('two');
    await call('sendMessage', { chat_id: -100123, text: 'group one' });
    expect(fake.messages.map((m) => [m.chat_id, m.message_id])).toEqual([
      ['42', 1],
      ['42', 2],
      ['-100123', 1],
    ]);
  });

  it.each([
    ['a<br>b', 'Unsupported start tag "br" at byte offset 1'],
    ['é<br>', 'Unsupported start tag "br" at byte offset 2'],
    ['1 < 2', 'Unsupported start tag "" at byte offset 2'],
    ['<b>bold', 'Can\'t find end tag corresponding to start tag "b"'],
    ['<b><i>x</b></i>', 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'],
    ['x</b>', 'Unexpected end tag at byte offset 1'],
    ['<b', 'Unclosed start tag at byte offset 0'],
    ['<span>x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
    ['<a href=x?y>l</a>', 'Unexpected end of name token at byte offset 8'],
    ['Q&A', 'Unescaped "&" at byte offset 1, use &amp;'],
    ['&nbsp;', 'Unsupported HTML entity "&nbsp;" at byte offset 0'],
    ['a -> b', 'Unescaped ">" at byte offset 3, use &gt;'],
  ])('rejects %j with "can\'t parse entities: %s"', async (html, reason) => {
    const answer = await send(html);
    expect(answer).toMatchObject({
      status: 400,
      ok: false,
      error_code: 400,
      description: `Bad Request: can't parse entities: ${reason}`,
    });
    expect(fake.messages).toHaveLength(0);
  });

  it('accepts every supported tag, pre with a language, spoilers and a links', () => {
    const parsed = parseTelegramHtml(
      '<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>' +
        '<a href="https://x.org/?a=1&amp;b=2">l</a><code>c</code><pre><code class="language-ts">p</code></pre>' +
        '<tg-spoiler>t</tg-spoiler><span class="tg-spoiler">p</span><blockquote>q</blockquote>' +
        '<blockquote expandable>x</blockquote>',
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.text).toBe('bsieunskdlcptpqx');
    expect(parsed.entities.map((e) => e.type)).toEqual([
      'bold',
      'bold',
      'italic',
      'italic',
      'underline',
      'underline',
      'strikethrough',
      'strikethrough',
      'strikethrough',
      'text_link',
      'code',
      'pre',
      'spoiler',
      'spoiler',
      'blockquote',
      'expandable_blockquote',
    ]);
    expect(parsed.entities.find((e) => e.type === 'text_link')?.url).toBe('https://x.org/?a=1&b=2');
    expect(parsed.entities.find((e) => e.type === 'pre')?.language).toBe('ts');
  });

  it('counts the 4096 limit in code points after entity parsing', async () => {
    expect((await send('&lt;'.repeat(4096))).ok).toBe(true);
    expect((await send('🚀'.repeat(4096))).ok).toBe(true); // 8192 UTF-16 units, 4096 code points
    const tooLong = await send(`<b>${'x'.repeat(4097)}</b>`);
    expect(tooLong).toMatchObject({ status: 400, description: 'Bad Request: message is too long' });
    expect(fake.messages.map((m) => [...m.text].length)).toEqual([4096, 4096]);
  });

  it('trims trailing whitespace and rejects a text that is empty after parsing', async () => {
    expect(await send('<b>  </b>')).toMatchObject({
      status: 400,
      description: 'Bad Request: message text is empty',
    });
    expect(await call('sendMessage', { chat_id: 42 })).toMatchObject({
      status: 400,
      description: 'Bad Request: message text is empty',
    });
    expect((await send(`${'y'.repeat(4096)}\n\n   `)).ok).toBe(true);
    expect(fake.messages[0]?.text).toBe('y'.repeat(4096));
  });

  it('keeps the indentation of a leading <pre> (Telegram only trims before the first entity)', async () => {
    await send('\n<pre>   1  BTC\n</pre>');
    expect(fake.messages[0]?.text).toBe('   1  BTC');
  });

  it('rejects callback_data outside 1-64 bytes with BUTTON_DATA_INVALID', async () => {
    const keyboard = (data: string) => ({ inline_keyboard: [[{ text: 'Go', callback_data: data }]] });
    expect((await send('ok', { reply_markup: keyboard('é'.repeat(32)) })).ok).toBe(true); // 64 bytes
    for (const data of ['é'.repeat(33), '']) {
      expect(await send('no', { reply_markup: keyboard(data) })).toMatchObject({
        status: 400,
        description: 'Bad Request: BUTTON_DATA_INVALID',
      });
    }
    expect(fake.messages[0]?.reply_markup).toEqual(keyboard('é'.repeat(32)));
  });

  it('edits a sent message, refuses an identical edit and an unknown message', async () => {
    const markup = { inline_keyboard: [[{ text: 'Refresh', callback_data: 'r' }]] };
    const { message_id } = resultOf<{ message_id: number }>(
      await send('<b>v1</b>', { reply_markup: markup }),
    );
    const edit = (text: string, extra: Record<string, unknown> = {}) =>
      call('editMessageText', { chat_id: 42, message_id, text, parse_mode: 'HTML', ...extra });

    expect(await edit('<b>v1</b>', { reply_markup: markup })).toMatchObject({
      status: 400,
      description: expect.stringMatching(/^Bad Request: message is not modified: /),
    });
    expect((await edit('<b>v2</b>', { reply_markup: markup })).ok).toBe(true);
    // Without reply_markup the keyboard goes, so the same text is a modification.
    expect((await edit('<b>v2</b>')).ok).toBe(true);
    expect(await edit('x'.repeat(4097))).toMatchObject({ description: 'Bad Request: MESSAGE_TOO_LONG' });
    expect(await call('editMessageText', { chat_id: 42, message_id: 99, text: 'x' })).toMatchObject({
      status: 400,
      description: 'Bad Request: message to edit not found',
    });
    expect(await call('editMessageText', { chat_id: 43, message_id, text: 'x' })).toMatchObject({
      description: 'Bad Request: message to edit not found',
    });
    expect(fake.messages.map((m) => [m.method, m.text])).toEqual([
      ['sendMessage', 'v1'],
      ['editMessageText', 'v2'],
      ['editMessageText', 'v2'],
    ]);
    expect(fake.message(42, message_id)).toMatchObject({ text: 'v2', edits: 2, deleted: false });
    expect(fake.message(42, message_id)?.reply_markup).toBeUndefined();
  });

  it('deletes a message, after which it can be neither edited nor deleted again', async () => {
    const { message_id } = resultOf<{ message_id: number }>(await send('bye'));
    expect(resultOf<boolean>(await call('deleteMessage', { chat_id: 42, message_id }))).toBe(true);
    expect(await call('deleteMessage', { chat_id: 42, message_id })).toMatchObject({
      description: 'Bad Request: message to delete not found',
    });
    expect(await call('editMessageText', { chat_id: 42, message_id, text: 'x' })).toMatchObject({
      description: 'Bad Request: message to edit not found',
    });
    expect(fake.message(42, message_id)?.deleted).toBe(true);
  });

  it('changes and removes an inline keyboard with editMessageReplyMarkup', async () => {
    const markup = { inline_keyboard: [[{ text: 'Yes', callback_data: 'y' }]] };
    const { message_id } = resultOf<{ message_id: number }>(await send('Sure?', { reply_markup: markup }));
    expect(
      await call('editMessageReplyMarkup', { chat_id: 42, message_id, reply_markup: markup }),
    ).toMatchObject({
      description: expect.stringMatching(/not modified/),
    });
    expect((await call('editMessageReplyMarkup', { chat_id: 42, message_id })).ok).toBe(true);
    expect(fake.message(42, message_id)?.reply_markup).toBeUndefined();
  });

  it('answers a callback query once; a second answer or an unknown id is "query is too old"', async () => {
    const id = fake.pressButton({ chatId: 42, userId: 7, messageId: 1, data: 'confirm:abc' });
    expect(
      resultOf<boolean>(await call('answerCallbackQuery', { callback_query_id: id, text: 'Done' })),
    ).toBe(true);
    const tooOld = 'Bad Request: query is too old and response timeout expired or query ID is invalid';
    expect(await call('answerCallbackQuery', { callback_query_id: id })).toMatchObject({
      description: tooOld,
    });
    expect(await call('answerCallbackQuery', { callback_query_id: 'nope' })).toMatchObject({
      description: tooOld,
    });
    expect(fake.callbackAnswers()).toEqual([{ callback_query_id: id, text: 'Done' }]);
  });

  it('validates setMyCommands and serves the last set per scope', async () => {
    const set = (commands: unknown, extra: Record<string, unknown> = {}) =>
      call('setMyCommands', { commands, ...extra });
    expect(await set([{ command: 'Status', description: 'x' }])).toMatchObject({
      description: 'Bad Request: BOT_COMMAND_INVALID',
    });
    expect(await set([{ command: 'a'.repeat(33), description: 'x' }])).toMatchObject({
      description: 'Bad Request: BOT_COMMAND_INVALID',
    });
    expect(await set([{ command: 'status', description: 'd'.repeat(257) }])).toMatchObject({
      description: 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID',
    });
    const many = Array.from({ length: 101 }, (_, i) => ({ command: `c${i}`, description: 'x' }));
    expect(await set(many)).toMatchObject({ description: 'Bad Request: BOT_COMMANDS_TOO_MUCH' });

    const commands = [
      { command: 'status', description: 'Open trades' },
      { command: 'forceexit', description: 'Exit a trade' },
    ];
    expect((await set(commands)).ok).toBe(true);
    expect(
      (await set([{ command: 'help', description: 'Help' }], { scope: { type: 'all_group_chats' } })).ok,
    ).toBe(true);
    expect(fake.commands()).toEqual(commands);
    expect(resultOf<unknown>(await call('getMyCommands'))).toEqual(commands);
    expect(fake.commands({ type: 'all_group_chats' })).toEqual([{ command: 'help', description: 'Help' }]);
  });

  it('accepts url-encoded and multipart bodies like Telegram (JSON-serialized objects inside)', async () => {
    const markup = JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] });
    const form = new URLSearchParams({
      chat_id: '-1001',
      text: '<i>form</i>',
      parse_mode: 'HTML',
      reply_markup: markup,
    });
    const res = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const multipart = new FormData();
    multipart.set('chat_id', '5');
    multipart.set('text', 'multi & part');
    const res2 = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
      method: 'POST',
      body: multipart,
    });
    expect(res2.status).toBe(200);
    expect(fake.messages.map((m) => [m.chat_id, m.text, m.reply_markup])).toEqual([
      ['-1001', 'form', JSON.parse(markup)],
      ['5', 'multi & part', undefined],
    ]);
  });

  it('injects 429s and other errors for the next calls of a method, counting the 429s', async () => {
    fake.fail429('sendMessage', 2, 3);
    fake.failNext('*', 1, 403, 'Forbidden: bot was kicked from the group chat');
    expect(await send('a')).toMatchObject({
      status: 429,
      error_code: 429,
      description: 'Too Many Requests: retry after 3',
      parameters: { retry_after: 3 },
    });
    expect(await call('getMe')).toMatchObject({
      status: 403,
      description: 'Forbidden: bot was kicked from the group chat',
    });
    expect((await send('b')).status).toBe(429);
    expect((await send('c')).ok).toBe(true);
    expect(fake.count429).toBe(2);
    expect(fake.messages.map((m) => m.text)).toEqual(['c']);
  });

  it('accepts known chat actions and rejects others', async () => {
    expect((await call('sendChatAction', { chat_id: 42, action: 'typing' })).ok).toBe(true);
    expect(await call('sendChatAction', { chat_id: 42, action: 'dancing' })).toMatchObject({
      status: 400,
      description: 'Bad Request: wrong parameter action in request',
    });
    expect(await call('sendChatAction', { action: 'typing' })).toMatchObject({
      description: 'Bad Request: chat_id is empty',
    });
  });

  it('resolves waitForMessages once enough messages arrived and rejects after its timeout', async () => {
    const waiting = fake.waitForMessages(2);
    await send('1');
    await send('2');
    expect((await waiting).map((m) => m.text)).toEqual(['1', '2']);
    await expect(fake.waitForMessages(3, 50)).rejects.toThrow(/expected 3 messages within 50 ms, got 2/);
  });
});

describe('fake Telegram long polling', () => {
  beforeEach(async () => {
    fake = await startFakeTelegram();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('delivers queued updates and forgets those below the confirmed offset', async () => {
    const first = fake.sendText({ chatId: 42, userId: 42, text: '/status' });
    const second = fake.sendText({
      chatId: -100500,
      userId: 7,
      text: 'hi /daily@chatops_test_bot',
      threadId: 3,
    });
    const batch = resultOf<Array<Record<string, unknown>>>(await call('getUpdates'));
    expect(batch.map((u) => u['update_id'])).toEqual([first, second]);
    expect(batch[0]).toMatchObject({
      message: { chat: { id: 42, type: 'private' }, from: { id: 42 }, text: '/status' },
    });
    expect(batch[0]?.['message']).toMatchObject({
      entities: [{ type: 'bot_command', offset: 0, length: 7 }],
    });
    expect(batch[1]?.['message']).toMatchObject({
      chat: { id: -100500, type: 'supergroup', is_forum: true },
      message_thread_id: 3,
      is_topic_message: true,
      entities: [{ type: 'bot_command', offset: 3, length: 23 }],
    });
    const rest = resultOf<Array<Record<string, unknown>>>(await call('getUpdates', { offset: second }));
    expect(rest.map((u) => u['update_id'])).toEqual([second]);
    expect(resultOf<unknown[]>(await call('getUpdates', { offset: second + 1 }))).toEqual([]);
    expect(fake.pendingUpdateCount).toBe(0);
  });

  it('keeps only the newest updates for a negative offset', async () => {
    fake.sendText({ chatId: 42, userId: 42, text: 'old' });
    const newest = fake.sendText({ chatId: 42, userId: 42, text: 'new' });
    const batch = resultOf<Array<Record<string, unknown>>>(await call('getUpdates', { offset: -1 }));
    expect(batch.map((u) => u['update_id'])).toEqual([newest]);
    expect(fake.pendingUpdateCount).toBe(1);
  });

  it('holds a long poll until an update arrives', async () => {
    const started = Date.now();
    const poll = call('getUpdates', { timeout: 10 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const id = fake.pressButton({ chatId: 42, userId: 42, messageId: 9, data: 'x' });
    const batch = resultOf<Array<Record<string, unknown>>>(await poll);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(batch[0]).toMatchObject({ callback_query: { id, data: 'x', message: { message_id: 9 } } });
  });

  it('answers an empty batch when the long-poll timeout passes', async () => {
    const started = Date.now();
    expect(resultOf<unknown[]>(await call('getUpdates', { timeout: 1 }))).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('drops update types left out of allowed_updates', async () => {
    fake.pressButton({ chatId: 42, userId: 42, messageId: 1, data: 'x' });
    const text = fake.sendText({ chatId: 42, userId: 42, text: 'hello' });
    const batch = resultOf<Array<Record<string, unknown>>>(
      await call('getUpdates', { allowed_updates: ['message'] }),
    );
    expect(batch.map((u) => u['update_id'])).toEqual([text]);
  });

  it('terminates a held poll with 409 Conflict when another getUpdates arrives', async () => {
    const first = call('getUpdates', { timeout: 10 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = call('getUpdates', { timeout: 0 });
    expect(await first).toMatchObject({
      status: 409,
      description:
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    });
    expect((await second).ok).toBe(true);
  });

  it('releases a held long poll at once when closed', async () => {
    const poll = call('getUpdates', { timeout: 30 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await fake.close();
    expect(resultOf<unknown[]>(await poll)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('fake Telegram flood control', () => {
  afterEach(async () => {
    await fake.close();
  });

  it('allows a small burst per chat, then answers 429 with an integer retry_after of at least 1 s', async () => {
    fake = await startFakeTelegram({ rateLimits: true });
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await send(`m${i}`));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[3]?.parameters?.retry_after).toBe(1);
    expect(fake.count429).toBe(2);
    // Another chat is not affected.
    expect((await call('sendMessage', { chat_id: 43, text: 'other' })).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await send('after the wait')).ok).toBe(true);
  });

  it('limits a group chat to 20 messages a minute', async () => {
    fake = await startFakeTelegram({ rateLimits: { perChatBurst: 100 } });
    const statuses = [];
    for (let i = 0; i < 21; i += 1)
      statuses.push((await call('sendMessage', { chat_id: -500, text: `g${i}` })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    const last = await call('sendMessage', { chat_id: -500, text: 'again' });
    expect(last.status).toBe(429);
    expect(last.parameters?.retry_after).toBeGreaterThanOrEqual(59);
  });

  it('limits all chats together to 30 messages a second', async () => {
    fake = await startFakeTelegram({ rateLimits: true });
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call('sendMessage', { chat_id: 1000 + i, text: 'bulk' }).then((a) => a.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
  });

  it('never answers 429 to a sender that waits 1 s after each answer in a chat', async () => {
    fake = await startFakeTelegram({ rateLimits: { perChatBurst: 1 } });
    for (let i = 0; i < 3; i += 1) {
      expect((await send(`paced ${i}`)).ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(fake.count429).toBe(0);
  });
});

describe('fake Telegram with a real grammY Bot', () => {
  let bot: Bot;
  let running: Promise<void> | undefined;

  beforeEach(async () => {
    fake = await startFakeTelegram();
    bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
    running = undefined;
  });
  afterEach(async () => {
    if (bot.isRunning()) await bot.stop();
    await running;
    await fake.close();
  });

  /** Starts long polling and resolves once grammY is polling. */
  function startPolling(): Promise<void> {
    return new Promise((resolve, reject) => {
      running = bot.start({ onStart: () => resolve() });
      running.catch(reject);
    });
  }

  it('initialises with getMe and sends an HTML message', async () => {
    await bot.init();
    expect(bot.botInfo.username).toBe('chatops_test_bot');
    const sent = await bot.api.sendMessage(-1001234, '<b>Hi</b> &amp; bye', {
      parse_mode: 'HTML',
      message_thread_id: 4,
    });
    expect(sent.message_id).toBe(1);
    expect(fake.messages[0]).toMatchObject({ chat_id: '-1001234', text: 'Hi & bye', message_thread_id: 4 });
  });

  it('surfaces Telegram errors as GrammyError with code and description', async () => {
    const error = await bot.api.sendMessage(1, 'a <br> b', { parse_mode: 'HTML' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect(error).toMatchObject({
      error_code: 400,
      method: 'sendMessage',
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 2',
    });
  });

  it('long-polls one command, replies in the same topic, and stops promptly', async () => {
    bot.command('status', (ctx) => ctx.reply(`status for <b>${ctx.from?.id}</b>`, { parse_mode: 'HTML' }));
    await startPolling();
    fake.sendText({ chatId: -100777, userId: 5, text: '/status', threadId: 11 });
    const [reply] = await fake.waitForMessages(1);
    expect(reply).toMatchObject({ chat_id: '-100777', text: 'status for 5', message_thread_id: 11 });
    const stopping = Date.now();
    await bot.stop();
    await running;
    expect(Date.now() - stopping).toBeLessThan(2000);
    expect(fake.pendingUpdateCount).toBe(0); // bot.stop() confirmed the handled update
  });

  it('delivers a button press to grammY and records its answer', async () => {
    bot.on('callback_query:data', async (ctx) => {
      await ctx.answerCallbackQuery({ text: `got ${ctx.callbackQuery.data}` });
      await ctx.editMessageText('Confirmed');
    });
    const sent = await bot.api.sendMessage(42, 'Exit trade 3?', {
      reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'fx:3' }]] },
    });
    await startPolling();
    const id = fake.pressButton({ chatId: 42, userId: 42, messageId: sent.message_id, data: 'fx:3' });
    await fake.waitForMessages(2);
    expect(fake.callbackAnswers()).toEqual([{ callback_query_id: id, text: 'got fx:3' }]);
    expect(fake.message(42, sent.message_id)).toMatchObject({ text: 'Confirmed', edits: 1 });
  });

  it('lets the auto-retry plugin wait out an injected 429', async () => {
    bot.api.config.use(autoRetry());
    fake.fail429('sendMessage', 1, 1);
    const started = Date.now();
    await bot.api.sendMessage(42, 'eventually');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fake.count429).toBe(1);
    expect(fake.messages.map((m) => m.text)).toEqual(['eventually']);
  });
});
