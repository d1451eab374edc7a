/**
 * The command half of the platform contract: what every platform that takes commands must do.
 * A platform gets the whole suite by adding a harness file that calls `commandContract`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pictureRunOf, testPicturePng } from '../fixtures/image-commands/picture.js';
import { until } from '../support/harness.js';
import type { CommandHarness, CommandHarnessDefinition } from './command-harness.js';

export function commandContract(definition: CommandHarnessDefinition): void {
  describe(`command contract: ${definition.name}`, () => {
    let harness: CommandHarness | undefined;
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    it('answers /status with the open trade, its id and its profit', async () => {
      harness = await definition.start();
      const id = harness.freqtrade.addTrade({
        pair: 'ETH/USDT',
        openRate: 2000,
        currentRate: 2050,
        stakeAmount: 100,
      });
      const reply = await harness.run('status', {});
      expect(reply.text).toContain('ETH/USDT');
      expect(reply.text).toContain(`${id}`);
      expect(reply.text).toMatch(/\+2\.\d+%/);
    });

    it('asks before /forceexit, and Confirm makes exactly one POST /forceexit', async () => {
      const h = await definition.start();
      harness = h;
      const id = h.freqtrade.addTrade({
        pair: 'BTC/USDT',
        openRate: 50000,
        currentRate: 51000,
        stakeAmount: 100,
      });
      const prompt = await h.run('forceexit', { trade_id: String(id) });
      expect(prompt.text).toMatch(new RegExp(`Exit trade #${id} BTC/USDT`));
      expect(prompt.buttons).toEqual(expect.arrayContaining([expect.stringContaining('Confirm')]));
      expect(h.stateChangingCalls()).toEqual([]);
      await h.press(prompt, 'Confirm');
      await until(() => h.stateChangingCalls().length > 0, 5000, 'the forceexit call');
      expect(h.stateChangingCalls()).toEqual([{ method: 'POST', path: '/forceexit' }]);
      const body = h.freqtrade.requests.find((request) => request.path === '/forceexit')?.body;
      expect(body).toMatchObject({ tradeid: id });
      await until(() => /Exit requested|Created exit order/.test(h.current(prompt).text), 5000, 'the result');
    });

    it("refuses a viewer's /forceexit and changes nothing", async () => {
      harness = await definition.start();
      const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
      const denied = await harness.run('forceexit', { trade_id: String(id) }, 'viewer');
      expect(denied.text).toMatch(/not allowed/);
      expect(denied.buttons).toEqual([]);
      expect(harness.stateChangingCalls()).toEqual([]);
    });

    it('sends a picture byte for byte under its text, and Refresh replaces it', async () => {
      const h = await definition.start();
      harness = h;
      const reply = await h.run('picture', { lines: '2' });
      expect(reply.text).toContain('Line 2: <b> & "quotes" stay text');
      const run = pictureRunOf(reply.text);
      expect(run).toBeDefined();
      expect(Buffer.from(reply.image?.bytes ?? []).equals(testPicturePng(run ?? 0))).toBe(true);
      if (reply.image?.alt !== undefined) expect(reply.image.alt).toContain(`Test picture number ${run}`);
      expect(reply.buttons).toEqual([expect.stringContaining('Refresh')]);

      await h.press(reply, 'Refresh');
      await until(
        () => (pictureRunOf(h.current(reply).text) ?? 0) > (run ?? 0),
        5000,
        'the refreshed picture',
      );
      const refreshed = h.current(reply);
      const again = pictureRunOf(refreshed.text) ?? 0;
      expect(Buffer.from(refreshed.image?.bytes ?? []).equals(testPicturePng(again))).toBe(true);
      if (refreshed.image?.alt !== undefined)
        expect(refreshed.image.alt).toContain(`Test picture number ${again}`);
    });

    it('never shows a secret in replies or logs', async () => {
      harness = await definition.start();
      harness.freqtrade.addTrade({ pair: 'ETH/USDT', openRate: 2000, currentRate: 2050 });
      const replies = [
        await harness.run('status', {}),
        await harness.run('show_config', {}),
        await harness.run('bots', {}),
      ];
      const everything = [...replies.map((reply) => reply.text), ...harness.logs].join('\n');
      for (const secret of harness.secrets) expect(everything).not.toContain(secret);
    });
  });
}
