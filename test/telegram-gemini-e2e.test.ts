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

async function start(secret = KEY.apiSecret) {
  gemini = await startFakeGemini({ keys: [KEY] });
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

  it('is refused to a viewer by default', async () => {
    const { harness: h } = await start();
    const [reply] = await h.say('/gemini', { userId: 2002 });
    expect(reply?.text).toMatch(/not allowed/);
  });
});
