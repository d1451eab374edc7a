import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN,
  buttonData,
  GROUP_CHAT,
  type Harness,
  STRANGER,
  startHarness,
  until,
} from './support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const calls = (h: Harness) => h.stateChangingCalls().map((call) => `${call.method} ${call.path}`);

describe('safety rails', () => {
  it('/forceexit all does nothing when the open trades changed between asking and confirming', async () => {
    harness = await startHarness();
    harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    harness.freqtrade.addTrade({ pair: 'ETH/USDT', openRate: 100, currentRate: 99 });
    const [prompt] = await harness.say('/forceexit all');
    expect(prompt?.text).toContain('Exit all 2 open trades?');
    harness.freqtrade.addTrade({ pair: 'SOL/USDT', openRate: 100, currentRate: 100 });
    await harness.press(prompt!, 'Confirm');
    expect(calls(harness)).toEqual([]);
    const view = harness.telegram.message(GROUP_CHAT, prompt!.message_id);
    expect(view?.text).toContain('was open trades #1, #2; now open trades #1, #2, #3');
  });

  it('/forceexit all exits when nothing changed', async () => {
    harness = await startHarness();
    harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    const [prompt] = await harness.say('/forceexit all');
    await harness.press(prompt!, 'Confirm');
    await until(() => calls(harness!).length === 1, 5000, 'forceexit');
    expect(harness.freqtrade.requests.find((r) => r.path === '/forceexit')?.body).toMatchObject({
      tradeid: 'all',
    });
  });

  it('ignores commands addressed to another bot in a shared group, and serves its own name', async () => {
    harness = await startHarness();
    await harness.say('/pause@FreqtradeOwnBot', { replies: 0 });
    expect(calls(harness)).toEqual([]);
    await harness.say('/pause@chatops_test_bot');
    expect(calls(harness)).toEqual(['POST /pause']);
  });

  it('a stranger, another chat or another topic cannot run an unconfirmed state change', async () => {
    harness = await startHarness({ telegram: { chats: [{ chat_id: String(GROUP_CHAT), topic_id: 7 }] } });
    await harness.say('/pause', { userId: STRANGER, threadId: 7, replies: 1 });
    await harness.say('/pause', { chatId: -555, replies: 0 });
    await harness.say('/pause', { threadId: 8, replies: 0 });
    await harness.say('/reload_config', { userId: STRANGER, threadId: 7, replies: 0 });
    expect(calls(harness)).toEqual([]);
    await harness.say('/pause', { threadId: 7 });
    expect(calls(harness)).toEqual(['POST /pause']);
  });

  it('confirms in a forum topic (the button press carries the topic of its message)', async () => {
    harness = await startHarness({ telegram: { chats: [{ chat_id: String(GROUP_CHAT), topic_id: 7 }] } });
    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    const [prompt] = await harness.say(`/forceexit ${id}`, { threadId: 7 });
    expect(prompt?.message_thread_id).toBe(7);
    await harness.press(prompt!, 'Confirm');
    await until(() => calls(harness!).length === 1, 5000, 'forceexit');
    expect(calls(harness)).toEqual(['POST /forceexit']);
  });

  it('a Refresh press edits the message in place with fresh numbers', async () => {
    harness = await startHarness();
    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    const [status] = await harness.say('/status table');
    expect(status?.text).toMatch(/\+1\.\d+%|\+0\.\d+%/);
    expect(() => buttonData(status!, 'Refresh')).not.toThrow();
    harness.freqtrade.setCurrentRate('BTC/USDT', 110);
    await harness.press(status!, 'Refresh', { userId: ADMIN });
    const view = harness.telegram.message(GROUP_CHAT, status!.message_id);
    expect(view?.edits).toBe(1);
    expect(view?.text).toMatch(/\+9\.\d+%|\+10\.\d+%/);
    expect(view?.text).toContain(String(id));
    expect(harness.telegram.messages.filter((m) => m.method === 'sendMessage')).toHaveLength(1);
  });
});
