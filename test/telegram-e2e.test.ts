import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN,
  buttonData,
  GROUP_CHAT,
  type Harness,
  STRANGER,
  startHarness,
  until,
  VIEWER,
} from './support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('telegram bot end to end', () => {
  it('registers its commands with setMyCommands at start', async () => {
    harness = await startHarness();
    await until(() => harness!.telegram.commands().length > 0, 5000, 'setMyCommands');
    const names = harness.telegram.commands().map((command) => command.command);
    for (const name of ['status', 'profit', 'forceexit', 'lock', 'whoami', 'help', 'balance', 'daily']) {
      expect(names).toContain(name);
    }
  });

  // /status and never showing a secret are in test/contract/commands.contract.ts, for every platform.

  it('/forceexit 1 then Confirm makes exactly one POST /forceexit', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({
      pair: 'BTC/USDT',
      openRate: 50000,
      currentRate: 51000,
      stakeAmount: 100,
    });
    const [prompt] = await harness.say(`/forceexit ${id}`);
    expect(prompt?.text).toMatch(/Exit trade #\d+ BTC\/USDT/);
    expect(prompt?.text).toMatch(/Current profit: .*\+\d+\.\d+%/);
    expect(harness.stateChangingCalls()).toEqual([]);
    await harness.press(prompt!, 'Confirm');
    await until(() => harness!.stateChangingCalls().length > 0, 5000, 'the forceexit call');
    const again = await harness.press(prompt!, 'Confirm');
    expect(again.notice).toMatch(/already confirmed\. Nothing more was done/);
    expect(harness.stateChangingCalls()).toEqual([{ method: 'POST', path: '/forceexit' }]);
    const exitBody = harness.freqtrade.requests.find((request) => request.path === '/forceexit')?.body;
    expect(exitBody).toMatchObject({ tradeid: id });
    const edited = harness.telegram.message(GROUP_CHAT, prompt!.message_id);
    expect(edited?.text).toMatch(/Exit requested|Created exit order/);
  });

  it('offers one button per open trade for /forceexit with no argument', async () => {
    harness = await startHarness();
    harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    harness.freqtrade.addTrade({ pair: 'ETH/USDT', openRate: 100, currentRate: 99 });
    const [picker] = await harness.say('/forceexit');
    expect(() => buttonData(picker!, 'BTC/USDT')).not.toThrow();
    expect(() => buttonData(picker!, 'ETH/USDT')).not.toThrow();
    expect(() => buttonData(picker!, 'Cancel')).not.toThrow();
    await harness.press(picker!, 'ETH/USDT');
    const view = harness.telegram.message(GROUP_CHAT, picker!.message_id);
    expect(view?.text).toMatch(/Exit trade #\d+ ETH\/USDT/);
    expect(harness.stateChangingCalls()).toEqual([]);
  });

  describe('forged or unauthorised input changes nothing', () => {
    it('ignores a stranger, refuses a viewer running an admin command, and ignores other chats', async () => {
      harness = await startHarness();
      harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
      const denied = await harness.say('/forceexit 1', { userId: VIEWER });
      expect(denied[0]?.text).toMatch(/not allowed/);
      await harness.say('/forceexit 1', { userId: STRANGER, replies: 0 });
      await harness.say('/stop', { chatId: -999, replies: 0 });
      await harness.say('/status', { chatId: -999, replies: 0 });
      expect(harness.stateChangingCalls()).toEqual([]);
      expect(harness.app.store.recentAudit(10).some((entry) => entry.outcome === 'denied')).toBe(true);
    });

    it("refuses another user pressing the requester's Confirm, and keeps it usable for the requester", async () => {
      harness = await startHarness();
      const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
      const [prompt] = await harness.say(`/forceexit ${id}`);
      const viewerPress = await harness.press(prompt!, 'Confirm', { userId: VIEWER });
      expect(viewerPress.alert).toBe(true);
      const strangerPress = await harness.press(prompt!, 'Confirm', { userId: STRANGER });
      expect(strangerPress.alert).toBe(true);
      expect(harness.stateChangingCalls()).toEqual([]);
      await harness.press(prompt!, 'Confirm', { userId: ADMIN });
      await until(() => harness!.stateChangingCalls().length === 1, 5000, 'forceexit');
    });

    it('does nothing for hand-crafted callback data or a confirmation from another chat', async () => {
      harness = await startHarness();
      const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
      const [prompt] = await harness.say(`/forceexit ${id}`);
      const data = buttonData(prompt!, 'Confirm');
      for (const forged of ['c:AAAAAAAAAAAAAAAAAAAAAA', 'forceexit 1', 'c:../../etc', `i:${data.slice(2)}`]) {
        harness.telegram.pressButton({
          chatId: GROUP_CHAT,
          userId: ADMIN,
          messageId: prompt!.message_id,
          data: forged,
        });
      }
      // The same valid data pressed from a private chat is not this chat's confirmation.
      harness.telegram.pressButton({
        chatId: ADMIN,
        userId: ADMIN,
        messageId: prompt!.message_id,
        data,
        chatType: 'private',
      });
      await until(() => harness!.telegram.callbackAnswers().length >= 5, 5000, 'answers');
      expect(harness.stateChangingCalls()).toEqual([]);
    });

    it('refuses an expired confirmation', async () => {
      harness = await startHarness({ config: { confirmation_timeout_s: 5 } });
      const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
      const [prompt] = await harness.say(`/forceexit ${id}`);
      // When its time is up the prompt loses its buttons and says it expired, without a press.
      await until(
        () =>
          /expired: nothing was done/.test(
            harness!.telegram.message(prompt!.chat_id, prompt!.message_id)?.text ?? '',
          ),
        8_000,
        'the prompt to expire',
      );
      const expired = harness.telegram.message(prompt!.chat_id, prompt!.message_id);
      expect(JSON.stringify(expired?.reply_markup ?? {})).not.toContain('Confirm');
      expect(expired?.text).toContain('BTC/USDT');
      // A press from an old client still does nothing.
      const press = await harness.press(prompt!, 'Confirm');
      expect(press.notice).toMatch(/expired/);
      expect(harness.stateChangingCalls()).toEqual([]);
    }, 15_000);

    it('ignores commands from other topics when the chat is pinned to a topic, and replies in the topic', async () => {
      harness = await startHarness({
        telegram: { chats: [{ chat_id: String(GROUP_CHAT), topic_id: 7 }] },
      });
      await harness.say('/status', { threadId: 8, replies: 0 });
      await harness.say('/help', { threadId: 8, replies: 0 });
      const [reply] = await harness.say('/count', { threadId: 7 });
      expect(reply?.message_thread_id).toBe(7);
      expect(harness.telegram.messages).toHaveLength(1);
    });
  });

  it('splits a long reply into several valid messages and renders odd characters intact', async () => {
    harness = await startHarness();
    for (let i = 0; i < 60; i += 1) {
      harness.freqtrade.addTrade({
        pair: `A<&_*${i}/USDT`,
        openRate: 1,
        currentRate: 1.01,
        enterTag: 'tag<b>&_*',
      });
    }
    const before = harness.telegram.messages.length;
    harness.telegram.sendText({ chatId: GROUP_CHAT, userId: ADMIN, text: '/status', chatType: 'supergroup' });
    await until(() => harness!.telegram.messages.length >= before + 2, 10_000, 'split messages');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const parts = harness.telegram.messages.slice(before);
    expect(parts.length).toBeGreaterThan(1);
    const text = parts.map((part) => part.text).join('\n');
    expect(text).toContain('A<&_*0/USDT');
    expect(text).toContain('A<&_*59/USDT');
    expect(text).toContain('tag<b>&_*');
    for (const part of parts) expect([...part.text].length).toBeLessThanOrEqual(4096);
  });

  it('delivers a reply after a 429 retry_after, losing nothing', async () => {
    harness = await startHarness();
    harness.telegram.fail429('sendMessage', 1, 1);
    const started = Date.now();
    const [reply] = await harness.say('/count');
    expect(reply?.text).toMatch(/0/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(harness.telegram.count429).toBe(1);
  });

  it('says plainly when Freqtrade is down, naming the bot and URL', async () => {
    harness = await startHarness();
    const url = harness.freqtrade.url;
    await harness.freqtrade.close();
    const [reply] = await harness.say('/profit');
    expect(reply?.text).toContain('main is unreachable');
    expect(reply?.text).toContain(url);
  });

  it('answers a bad argument with the usage line', async () => {
    harness = await startHarness();
    const [reply] = await harness.say('/lock BTC/USDT soon');
    expect(reply?.text).toMatch(/Usage: \/lock <pair>/);
    const [other] = await harness.say('/daily lots');
    expect(other?.text).toMatch(/Usage: \/daily/);
  });

  it('locks a pair until a UTC time and lists it', async () => {
    harness = await startHarness();
    await harness.say('/lock BTC/USDT 1h news spike side=long');
    const body = harness.freqtrade.requests.find(
      (request) => request.method === 'POST' && request.path === '/locks',
    )?.body;
    expect(body).toEqual([expect.objectContaining({ pair: 'BTC/USDT', side: 'long', reason: 'news spike' })]);
    const until = (body as Array<{ until: string }>)[0]?.until ?? '';
    expect(until).toMatch(/(Z|\+00:00)$/);
    const [locks] = await harness.say('/locks');
    expect(locks?.text).toContain('BTC/USDT');
    expect(locks?.text).toContain('news spike');
  });

  it('/whoami works for anyone in a private chat and tells the allowlist entry', async () => {
    harness = await startHarness();
    const [reply] = await harness.say('/whoami', { userId: STRANGER, chatId: STRANGER, chatType: 'private' });
    expect(reply?.text).toContain(`telegram:${STRANGER}`);
    expect(reply?.text).toContain('not in the allowlist');
  });
});
