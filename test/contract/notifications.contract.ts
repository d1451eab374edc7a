/**
 * The notification half of the platform contract: what every platform that hears notifications
 * must do, whatever its wire format. A platform gets the whole suite by adding a harness file
 * (`<platform>.contract.test.ts`) that calls `notificationContract` with its definition.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { exitFillFrame, tradeFrame } from '../support/frames.js';
import { until } from '../support/harness.js';
import {
  type NotificationHarness,
  type NotificationHarnessDefinition,
  startNotificationHarness,
} from './notification-harness.js';

/** The numbers in `burst #n` lines of a text, in order. */
const burstNumbers = (text: string) => [...text.matchAll(/burst #(\d+)/g)].map((match) => Number(match[1]));

export function notificationContract(definition: NotificationHarnessDefinition): void {
  describe(`notification contract: ${definition.name}`, () => {
    let harness: NotificationHarness | undefined;
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });
    const start = async () => {
      harness = await startNotificationHarness(definition);
      await harness.connected();
      return harness;
    };

    it('delivers each event to the targets that want it, at their level, and not to the others', async () => {
      const h = await start();
      h.freqtrade.emit(tradeFrame('entry', 11, 'SOL/USDT'));
      await until(() => h.textOf('loud').includes('SOL/USDT') && h.textOf('quiet').includes('SOL/USDT'));
      const [loudEntry] = h.platform.delivered('loud');
      const [quietEntry] = h.platform.delivered('quiet');
      if (loudEntry?.silent !== undefined) expect(loudEntry.silent).toBe(false);
      if (quietEntry?.silent !== undefined) expect(quietEntry.silent).toBe(true);

      h.freqtrade.emit({ type: 'whitelist', data: ['BTC/USDT', 'ETH/USDT'] });
      h.freqtrade.emit(exitFillFrame(11, 'SOL/USDT', 'roi', 0.021));
      h.freqtrade.emit(exitFillFrame(12, 'ADA/USDT', 'stop_loss', -0.05));
      // A backlog may arrive merged into one message: wait for content, not for a message count.
      await until(() => h.textOf('loud').includes('ADA/USDT'), 8000, 'loud target messages');
      await until(() => h.textOf('quiet').includes('ADA/USDT'), 8000, 'quiet target messages');
      await h.app.notifier.drain();
      expect(h.textOf('loud')).toContain('BTC/USDT');
      expect(h.textOf('loud')).toMatch(/SOL\/USDT[\s\S]*\+2\.10%/);
      expect(h.textOf('loud')).toMatch(/ADA\/USDT[\s\S]*-5\.00%/);
      expect(h.textOf('quiet')).not.toContain('BTC/USDT');
      expect(h.textOf('quiet')).not.toContain('+2.10%');
      expect(h.textOf('quiet')).toMatch(/ADA\/USDT[\s\S]*-5\.00%/);
    });

    it('waits out the platform\'s "slow down" and loses nothing, in order', async () => {
      const h = await start();
      h.platform.rateLimitNext('loud', 2, 0.3);
      for (let i = 0; i < 20; i += 1) h.freqtrade.emit({ type: 'strategy_msg', msg: `burst #${i}` });
      await until(() => h.textOf('loud').includes('burst #19'), 20_000, 'the whole burst');
      expect(burstNumbers(h.textOf('loud'))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    }, 30_000);

    it.skipIf(definition.canRemoveOneTarget === false)(
      'marks a target that is gone for good and keeps delivering to the others',
      async () => {
        const h = await start();
        h.platform.remove?.('quiet');
        h.freqtrade.emit({ type: 'strategy_msg', msg: 'first' });
        const goneKey = h.platform.keyOf('quiet');
        await until(
          () => h.app.store.hasChat(goneKey) && h.app.store.chat(goneKey).delivery_failed !== null,
          5000,
          'the gone target marked',
        );
        expect(h.logs.join('')).toMatch(/refuses notifications for good/);
        const attemptsBefore = h.platform.attempts('quiet');
        h.freqtrade.emit({ type: 'strategy_msg', msg: 'second' });
        await until(() => h.textOf('loud').includes('second'), 5000, 'the other target');
        await h.app.notifier.drain();
        expect(h.platform.attempts('quiet')).toBe(attemptsBefore);
      },
    );

    it('never posts or logs a secret', async () => {
      const h = await start();
      h.freqtrade.emit(tradeFrame('entry', 51, 'XRP/USDT'));
      h.freqtrade.dropWebsockets();
      await until(() => h.freqtrade.counts.wsConnections >= 2, 5000, 'reconnect');
      await until(() => h.textOf('loud').includes('XRP/USDT'), 5000, 'a post');
      const everything = [...h.logs, h.platform.everythingReceived()].join('\n');
      for (const secret of [...h.botSecrets, ...h.platform.secrets]) expect(everything).not.toContain(secret);
    });
  });
}
