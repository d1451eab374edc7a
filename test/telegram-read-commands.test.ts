import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, VIEWER } from './support/harness.js';

/** Every read command through the real grammY bot: the GET it makes and a number it shows. */
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ seed: 'demo' });
});
afterAll(async () => {
  await harness.close();
});

async function ask(text: string) {
  const before = harness.freqtrade.requests.length;
  const replies = await harness.say(text, { userId: VIEWER });
  const paths = harness.freqtrade.requests
    .slice(before)
    .filter((request) => request.method === 'GET')
    .map((request) => request.path);
  return { text: replies.map((reply) => reply.text).join('\n'), paths };
}

const cases: Array<[string, string, RegExp]> = [
  ['/trades 3', '/trades', /Last 3 closed trades[\s\S]*\/USDT[\s\S]*[+-]\d+\.\d+%/],
  ['/performance', '/performance', /\/USDT[\s\S]*[+-]?\d+\.\d+/],
  ['/entries', '/entries', /\d/],
  ['/exits', '/exits', /roi|stop_loss|exit_signal/],
  ['/mix_tags', '/mix_tags', /\d/],
  ['/stats', '/stats', /roi|stop_loss/],
  ['/daily 3', '/daily', /\d{4}-\d{2}-\d{2}/],
  ['/weekly 2', '/weekly', /\d{4}-\d{2}-\d{2}/],
  ['/monthly 2', '/monthly', /\d{4}-\d{2}/],
  ['/balance', '/balance', /USDT[\s\S]*\d+\.\d+/],
  ['/count', '/count', /3/],
  ['/locks', '/locks', /StoplossGuard/],
  ['/whitelist', '/whitelist', /BTC\/USDT/],
  ['/blacklist', '/blacklist', /TRX\/USDT/],
  ['/show_config', '/show_config', /dry/i],
  ['/logs 5', '/logs', /INFO/],
  ['/health', '/health', /UTC/],
  ['/version', '/version', /2026\.3/],
  ['/sysinfo', '/sysinfo', /%/],
  ['/profit', '/profit', /[+-]\d+\.\d+%/],
  ['/status table', '/status', /BTC\/USDT/],
];

describe('read commands through the Telegram bot', () => {
  it.each(cases)('%s calls GET %s and shows the numbers', async (command, path, shown) => {
    const { text, paths } = await ask(command);
    expect(paths).toContain(path);
    expect(text).toMatch(shown);
    expect(text).not.toMatch(/went wrong|refused|not understood/);
  });

  it('/trades 3 asks Freqtrade for at most 3 trades', async () => {
    const before = harness.freqtrade.requests.length;
    await harness.say('/trades 3', { userId: VIEWER });
    const limits = harness.freqtrade.requests
      .slice(before)
      .filter((request) => request.path === '/trades')
      .map((request) => request.query.limit);
    expect(limits.every((limit) => Number(limit) <= 3)).toBe(true);
  });

  it('/daily 3 passes the timescale', async () => {
    const before = harness.freqtrade.requests.length;
    await harness.say('/daily 3', { userId: VIEWER });
    const daily = harness.freqtrade.requests.slice(before).find((request) => request.path === '/daily');
    expect(daily?.query.timescale).toBe('3');
  });
});
