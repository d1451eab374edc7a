import { afterEach, describe, expect, it } from 'vitest';
import { type FakeGemini, startFakeGemini } from './fakes/fake-gemini.js';
import { type Harness, startHarness } from './support/harness.js';

const KEY = { apiKey: 'account-e2e-key1', apiSecret: 'CANARY-gemini-secret-q81', roles: ['Auditor'] };

let harness: Harness | undefined;
let gemini: FakeGemini | undefined;
afterEach(async () => {
  await harness?.close();
  await gemini?.close();
  harness = undefined;
  gemini = undefined;
});

async function start(secret = KEY.apiSecret, roles = KEY.roles) {
  gemini = await startFakeGemini({ keys: [{ ...KEY, roles }] });
  harness = await startHarness({
    config: {
      gemini: { enabled: true, api_key: KEY.apiKey, api_secret: secret, base_url: gemini.url },
    },
  });
  return { harness, gemini };
}

describe('Gemini through the Telegram bot', () => {
  it('/gemini shows exact balances from the exchange', async () => {
    const { harness: h, gemini: g } = await start();
    g.setBalances([
      {
        type: 'exchange',
        currency: 'BTC',
        amount: '0.12345678',
        available: '0.1',
        availableForWithdrawal: '0.1',
      },
    ]);
    const [reply] = await h.say('/gemini');
    expect(reply?.text).toContain('BTC');
    expect(reply?.text).toContain('0.12345678');
  });

  it('/reconcile flags a currency where the exchange and Freqtrade disagree', async () => {
    const { harness: h, gemini: g } = await start();
    h.freqtrade.addTrade({ pair: 'BTC/USDT', amount: 0.5, openRate: 40000 });
    g.setBalances([
      { type: 'exchange', currency: 'BTC', amount: '0.4', available: '0.4', availableForWithdrawal: '0.4' },
    ]);
    const [reply] = await h.say('/reconcile');
    expect(reply?.text).toMatch(/⚠️ Gemini and main disagree/);
    expect(reply?.text).toContain('BTC');
  });

  it('explains a wrong secret in plain words and never shows the secret or a signature', async () => {
    const { harness: h, gemini: g } = await start('CANARY-wrong-secret-77');
    const [reply] = await h.say('/gemini');
    expect(reply?.text).toContain('InvalidSignature');
    expect(reply?.text).toContain('gemini.api_secret');
    const everything = [...h.telegram.messages.map((m) => m.html), ...h.logs].join('\n');
    expect(everything).not.toContain('CANARY-wrong-secret-77');
    expect(everything).not.toContain(KEY.apiSecret);
    for (const request of g.requests) {
      const signature = request.headers['x-gemini-signature'];
      if (signature) expect(everything).not.toContain(signature);
      const payload = request.headers['x-gemini-payload'];
      if (payload) expect(everything).not.toContain(payload);
    }
  });

  it('explains a key without a balance role', async () => {
    const { harness: h } = await start(KEY.apiSecret, ['Trader-less-nothing']);
    const [reply] = await h.say('/gemini');
    expect(reply?.text).toContain('MissingRole');
    expect(reply?.text).toMatch(/Auditor/);
  });

  it('explains a nonce that went backwards (another program used the key)', async () => {
    const { harness: h, gemini: g } = await start();
    const { createGeminiClient } = await import('../src/exchanges/gemini/client.js');
    const { enabledGemini } = await import('../src/config/schema.js');
    const config = enabledGemini(h.config);
    if (!config) throw new Error('gemini off');
    // Someone else's program used the same key with nonces far ahead of ours.
    const other = createGeminiClient({ config, nonces: { next: () => Date.now() + 3_600_000 } });
    await other.balances();
    expect(g.lastNonce(KEY.apiKey)).toBeGreaterThan(Date.now());
    const [reply] = await h.say('/gemini');
    expect(reply?.text).toContain('InvalidNonce');
  });

  it('says to wait when Gemini keeps answering 429', async () => {
    const { harness: h, gemini: g } = await start();
    g.fail429(10);
    const [reply] = await h.say('/gemini');
    expect(reply?.text).toMatch(/rate limit/i);
  });

  it('is refused to a viewer by default', async () => {
    const { harness: h } = await start();
    const [reply] = await h.say('/gemini', { userId: 2002 });
    expect(reply?.text).toMatch(/not allowed/);
  });
});
