import { afterEach, describe, expect, it } from 'vitest';
import type { FakeFreqtrade, RecordedRequest } from './fakes/fake-freqtrade.js';
import { type DiscordHarness, startDiscordHarness } from './support/discord-harness.js';
import { type Harness, startHarness } from './support/harness.js';

let harness: Harness | undefined;
let discordHarness: DiscordHarness | undefined;
afterEach(async () => {
  await harness?.close();
  await discordHarness?.close();
  harness = undefined;
  discordHarness = undefined;
});

/** Everything a request carried that a user could have typed: path (decoded), query and body. */
function carried(request: RecordedRequest): string {
  let path = request.path;
  try {
    path = decodeURIComponent(request.path);
  } catch {
    // keep the raw path
  }
  return `${path} ${JSON.stringify(request.query)} ${JSON.stringify(request.body ?? null)}`;
}

/** True when any request the fake Freqtrade received carried `text`. */
const reached = (fake: FakeFreqtrade, text: string) =>
  fake.requests.some((request) => carried(request).includes(text));

const MALFORMED: Array<[string, string]> = [
  ['dots and slashes', '../..'],
  ['only dots', '...'],
  ['a zero-width space', 'BTC/USDT\u200b'],
  ['a zero-width joiner inside', 'BTC\u200d/USDT'],
  ['a right-to-left override', '\u202eTDSU/CTB'],
  ['a bidi isolate', 'ETH/\u2066USDT'],
  ['a soft hyphen', 'ETH/US\u00adDT'],
  ['a control character', 'ETH/USDT\u0007'],
];

describe('pair arguments', () => {
  it.each(MALFORMED)('a pair with %s never reaches Freqtrade, from any command', async (_what, bad) => {
    harness = await startHarness();
    for (const command of [
      `/forcelong ${bad}`,
      `/forceshort ${bad} 100`,
      `/lock ${bad} 1h`,
      `/unlock ${bad}`,
      `/blacklist ${bad}`,
      `/bl_delete ${bad}`,
      `/entries ${bad}`,
    ]) {
      const [reply] = await harness.say(command);
      expect(reply?.text, command).toMatch(/Bad pairs? "|neither a lock id nor a pair/);
      expect(reply?.reply_markup, command).toBeUndefined();
    }
    expect(reached(harness.freqtrade, bad)).toBe(false);
    expect(harness.stateChangingCalls()).toEqual([]);
  });

  it('names the invisible character and the expected shape', async () => {
    harness = await startHarness();
    const [hidden] = await harness.say('/lock BTC/USDT\u200b 1h');
    expect(hidden?.text).toContain(
      'Bad pair "BTC/USDT<U+200B>": contains an invisible or control character (U+200B)',
    );
    const [dots] = await harness.say('/forcelong ../..');
    expect(dots?.text).toContain(
      'Bad pair "../..": expected a pair like BTC/USDT, or BTC/USDT:USDT for futures (letters and digits, at most 40 characters).',
    );
    expect(dots?.text).toContain('Usage: /forcelong <pair>');
  });

  it('cuts an over-long pair in the echo and never sends it', async () => {
    harness = await startHarness();
    // Telegram takes at most 4096 characters per message.
    const long = `${'A'.repeat(4000)}/USDT`;
    const [reply] = await harness.say(`/lock ${long} 1h`);
    const text = reply?.text ?? '';
    expect(text).toContain(`Bad pair "${'A'.repeat(63)}…": too long (4005 characters)`);
    expect(text.length).toBeLessThan(400);
    expect(reached(harness.freqtrade, 'A'.repeat(41))).toBe(false);
    const [rest] = await harness.say(`/blacklist DOGE/USDT ${'B'.repeat(3000)}/USDT`);
    expect(rest?.text).toContain(`Bad pairs "${'B'.repeat(63)}…": too long`);
    expect(harness.stateChangingCalls()).toEqual([]);
  });

  it('cuts an over-long duration and reason of /lock in its replies', async () => {
    harness = await startHarness();
    const [duration] = await harness.say(`/lock BTC/USDT ${'9'.repeat(500)}h`);
    expect(duration?.text).toContain(`Bad duration "${'9'.repeat(63)}…": too long for a duration like 30m`);
    expect(harness.stateChangingCalls()).toEqual([]);
    const [locked] = await harness.say(`/lock BTC/USDT 1h ${'why '.repeat(200)}`);
    expect(locked?.text).toContain(`Reason: ${'why '.repeat(15)}why…`);
    expect(locked?.text.length).toBeLessThan(400);
  });

  it('a 6,000-character pair from a Discord slash command never reaches Freqtrade', async () => {
    discordHarness = await startDiscordHarness();
    const long = 'A'.repeat(6000);
    const { view } = await discordHarness.command('forcelong', { pair: long });
    const shown = JSON.stringify(view.original ?? {});
    expect(shown).toContain('Bad pair');
    expect(shown).toContain('too long (6000 characters)');
    expect(shown).not.toContain('A'.repeat(64));
    expect(reached(discordHarness.freqtrade, 'A'.repeat(41))).toBe(false);
    expect(discordHarness.stateChangingCalls()).toEqual([]);
  });

  it('accepts real pairs: lower case is upper-cased, futures pairs keep their settle currency', async () => {
    harness = await startHarness();
    await harness.say('/lock eth/usdt 1h');
    await harness.say('/lock BTC/USDT:USDT 1h');
    const bodies = harness.freqtrade.requests.filter((r) => r.path === '/locks' && r.method === 'POST');
    expect(bodies.map((r) => (r.body as Array<{ pair: string }>)[0]?.pair)).toEqual([
      'ETH/USDT',
      'BTC/USDT:USDT',
    ]);
  });
});

describe('/blacklist entries', () => {
  it("accepts Freqtrade's wildcard patterns as typed and upper-cases plain pairs", async () => {
    harness = await startHarness();
    const [reply] = await harness.say('/blacklist .*/BNB BNB/.* doge/usdt');
    expect(reply?.text).toContain('.*/BNB, BNB/.*, DOGE/USDT');
    expect(
      harness.freqtrade.requests.find((r) => r.path === '/blacklist' && r.method === 'POST')?.body,
    ).toEqual({
      blacklist: ['.*/BNB', 'BNB/.*', 'DOGE/USDT'],
    });
  });

  it('refuses words that are neither pairs nor patterns, before anything is sent', async () => {
    harness = await startHarness();
    const [word] = await harness.say('/blacklist bitcoin');
    expect(word?.text).toContain(
      'Bad pairs "bitcoin": expected a pair like BTC/USDT or a pattern like .*/BNB or BNB/.*',
    );
    const [hidden] = await harness.say('/blacklist DOGE/USDT SHIB\u200b/USDT');
    expect(hidden?.text).toContain(
      'Bad pairs "SHIB<U+200B>/USDT": contains an invisible or control character (U+200B)',
    );
    expect(harness.stateChangingCalls()).toEqual([]);
  });
});
