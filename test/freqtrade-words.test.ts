import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.js';
import type { FreqtradeClient } from '../src/freqtrade/client.js';
import { createFleet } from '../src/freqtrade/fleet.js';
import { createSilentLogger } from '../src/logger.js';
import { startApp } from '../src/main.js';
import { type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { CANARY, type Harness, startHarness } from './support/harness.js';

let harness: Harness | undefined;
const fakes: FakeFreqtrade[] = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const fake of fakes.splice(0)) await fake.close();
});

async function rejectionOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe("Freqtrade's own words in chat", () => {
  it('/blacklist of a pair already listed shows why, never [object Object]', async () => {
    harness = await startHarness();
    harness.freqtrade.state.blacklist.push('DOGE/USDT');
    const [added] = await harness.say('/blacklist DOGE/USDT XRP/USDT');
    expect(added?.text).toContain('DOGE/USDT: Pair DOGE/USDT already in pairlist.');
    expect(added?.text).toContain('DOGE/USDT, XRP/USDT');
    expect(added?.text).not.toContain('[object Object]');
    const [removed] = await harness.say('/bl_delete SOL/USDT');
    expect(removed?.text).toContain('SOL/USDT: Pair SOL/USDT is not in the current blacklist.');
    expect(removed?.text).not.toContain('[object Object]');
  });

  it('a wrong password reads as a wrong password naming bots[0], not as unreachable', async () => {
    harness = await startHarness();
    await harness.app.stop();
    const bots = harness.config.bots.map((bot) => ({ ...bot, password: 'Wr0ng-Pa55word' }));
    harness.app = await startApp({ config: { ...harness.config, bots }, logger: createSilentLogger() });
    const [reply] = await harness.say('/count');
    expect(reply?.text).toBe(
      'main refused /count: Wrong username or password: check bots[0].username / password',
    );
    expect(reply?.text).not.toContain('unreachable');
    expect(reply?.text).not.toContain('Wr0ng-Pa55word');
    const [listing] = await harness.say('/bots');
    expect(listing?.text).toContain('Wrong username or password: check bots[0].username / password');
    expect(listing?.text).not.toContain('unreachable');
  });

  it('an error body that is an object reaches chat as text', async () => {
    harness = await startHarness();
    harness.freqtrade.failNext('GET', '/count', 400, {
      detail: { code: 'E42', message: 'Wallet is locked' },
    });
    const [reply] = await harness.say('/count');
    expect(reply?.text).toBe('main refused /count: Wallet is locked');
  });
});

describe('ApiError.detail of any error body', () => {
  async function clientFor(): Promise<{ fake: FakeFreqtrade; client: FreqtradeClient }> {
    const fake = await startFakeFreqtrade({ password: CANARY.password });
    fakes.push(fake);
    const fleet = createFleet(
      [
        {
          name: 'alpha',
          api_url: fake.url,
          username: 'freqtrader',
          password: CANARY.password,
          ws_token: null,
          timeout_ms: 3000,
          read_only: false,
        },
      ],
      { retry: { limit: 0, backoffMs: 5 } },
    );
    return { fake, client: fleet.get('alpha') };
  }

  it.each<[string, unknown, string]>([
    [
      "FastAPI's 422 list",
      { detail: [{ type: 'missing', loc: ['body', 'tradeid'], msg: 'Field required', input: null }] },
      'body.tradeid: Field required',
    ],
    [
      'an object with a message',
      { detail: { code: 'E42', message: 'Wallet is locked' } },
      'Wallet is locked',
    ],
    ['an object without one', { detail: { pair: 'BTC/USDT', count: 3 } }, 'pair: BTC/USDT; count: 3'],
    [
      'a per-pair error_msg under error',
      { error: { error_msg: 'Pair X is not a valid wildcard.' } },
      'Pair X is not a valid wildcard.',
    ],
    ['a list of strings', { detail: ['first', 'second'] }, 'first; second'],
    ['a number', { detail: 42 }, '42'],
  ])('renders %s readably', async (_what, body, expected) => {
    const { fake, client } = await clientFor();
    fake.failNext('POST', '/forceexit', 422, body);
    const error = await rejectionOf(client.forceExit({ tradeid: 1 }));
    expect(error.detail).toBe(expected);
    expect(error.message).not.toContain('[object Object]');
  });

  it('cuts a very long error text', async () => {
    const { fake, client } = await clientFor();
    fake.failNext('POST', '/forceexit', 400, { detail: { message: 'x'.repeat(5000) } });
    const error = await rejectionOf(client.forceExit({ tradeid: 1 }));
    expect(error.detail).toHaveLength(300);
    expect(error.detail?.endsWith('…')).toBe(true);
  });
});
