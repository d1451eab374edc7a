/*
 * What an instance hands to the next one through the store (issue 16), shown with a restart on the
 * file store (a takeover on Redis goes through the same store calls): a confirmation asked before
 * is answered after, exactly once, and an update the first instance took in is not taken again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../src/logger.js';
import { startApp } from '../src/main.js';
import { ADMIN, GROUP_CHAT, type Harness, startHarness, until } from './support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const forceExits = (h: Harness) => h.stateChangingCalls().filter((call) => call.path === '/forceexit');

async function restart(h: Harness): Promise<void> {
  await h.app.stop();
  h.app = await startApp({ config: h.config, logger: createSilentLogger() });
}

describe('across a restart', () => {
  it('a confirmation asked before is carried out after, exactly once', async () => {
    harness = await startHarness();
    const h = harness;
    h.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    const [prompt] = await h.say('/forceexit all');
    expect(prompt?.text).toContain('Exit all 1 open trade');
    await restart(h);
    await h.press(prompt!, 'Confirm');
    await until(() => forceExits(h).length === 1, 5_000, 'the exit');
    // A second press (a double tap, or the same press delivered again) does nothing more.
    await h.press(prompt!, 'Confirm');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(forceExits(h)).toHaveLength(1);
  });

  it('an update already taken in before the restart is not handled again', async () => {
    harness = await startHarness();
    const h = harness;
    await h.say('/count');
    const takenBefore = h.app.store.cursor('telegram');
    expect(takenBefore).toBe(h.telegram.lastUpdateId);
    // As after a crash before Telegram heard that the update was received: it hands it out again.
    const repeated = h.telegram.lastUpdateId;
    await restart(h);
    const before = h.telegram.messages.length;
    h.telegram.pushUpdate({
      update_id: repeated,
      message: {
        message_id: 9_999,
        date: Math.floor(Date.now() / 1000),
        chat: { id: GROUP_CHAT, type: 'supergroup', title: 'group' },
        from: { id: ADMIN, is_bot: false, first_name: 'Admin' },
        text: '/count',
      },
    });
    // A fresh update is handled; the repeated one before it was not.
    const [reply] = await h.say('/version');
    expect(reply?.text).toContain('Version');
    expect(h.telegram.messages.slice(before).map((message) => message.text.split('\n')[0])).toEqual([
      reply?.text.split('\n')[0],
    ]);
  });
});
