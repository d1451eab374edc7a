/**
 * The command half of the platform contract: what every platform that takes commands must do.
 * A platform gets the whole suite by adding a harness file that calls `commandContract`.
 */
import { afterEach, describe, expect, it } from 'vitest';
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
