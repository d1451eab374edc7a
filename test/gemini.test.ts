import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { GeminiConfig } from '../src/config/schema.js';
import { ApiError, NetworkError, ValidationError } from '../src/errors.js';
import { createGeminiClient, type GeminiClient } from '../src/exchanges/gemini/client.js';
import { createMemoryNonceStore, createNonceSource, type NonceStore } from '../src/exchanges/gemini/nonce.js';
import { signGeminiRequest } from '../src/exchanges/gemini/signer.js';
import { createLogger, type Logger } from '../src/logger.js';
import { type FakeGemini, type FakeGeminiKey, startFakeGemini } from './fakes/fake-gemini.js';

const AUDITOR: FakeGeminiKey = {
  apiKey: 'account-auditor1',
  apiSecret: 'auditor-secret-2Kq9',
  roles: ['Auditor'],
};

const fakes: FakeGemini[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function fakeWith(...keys: FakeGeminiKey[]): Promise<FakeGemini> {
  const fake = await startFakeGemini({ keys: keys.length ? keys : [AUDITOR] });
  fakes.push(fake);
  return fake;
}

function configFor(
  fake: FakeGemini,
  key: Pick<FakeGeminiKey, 'apiKey' | 'apiSecret'>,
  extra: Partial<GeminiConfig> = {},
) {
  const config: GeminiConfig = {
    enabled: true,
    api_key: key.apiKey,
    api_secret: key.apiSecret,
    base_url: fake.url,
    account: null,
    time_based_nonce: false,
    viewers_allowed: false,
    notional_currency: 'usd',
    tolerance_ratio: 0.001,
    timeout_ms: 5_000,
    ...extra,
  };
  return config;
}

function clientFor(
  fake: FakeGemini,
  key: Pick<FakeGeminiKey, 'apiKey' | 'apiSecret'> = AUDITOR,
  opts: { config?: Partial<GeminiConfig>; store?: NonceStore; now?: () => number; logger?: Logger } = {},
): GeminiClient {
  const config = configFor(fake, key, opts.config);
  const nonces = createNonceSource({
    store: opts.store ?? createMemoryNonceStore(),
    key: `gemini:${key.apiKey}`,
    timeBased: config.time_based_nonce,
    ...(opts.now ? { now: opts.now } : {}),
  });
  return createGeminiClient({ config, nonces, ...(opts.logger ? { logger: opts.logger } : {}) });
}

/** Returns the error a call failed with, after checking its class. */
async function failureOf<T extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
): Promise<T> {
  let failure: unknown;
  try {
    await promise;
  } catch (error) {
    failure = error;
  }
  expect(failure).toBeInstanceOf(type);
  if (!(failure instanceof type)) throw new Error(`expected the call to fail with ${type.name}`);
  return failure;
}

describe('Gemini client against the fake exchange', () => {
  it('reads balances as exact decimal strings from a correctly signed, empty-bodied POST', async () => {
    const fake = await fakeWith();
    const balances = await clientFor(fake).balances();

    expect(balances).toEqual([
      {
        type: 'exchange',
        currency: 'BTC',
        amount: '1154.62034001',
        available: '1129.10517279',
        availableForWithdrawal: '1129.10517279',
      },
      {
        type: 'exchange',
        currency: 'USD',
        amount: '18722.79',
        available: '14481.62',
        availableForWithdrawal: '14481.62',
      },
      {
        type: 'exchange',
        currency: 'ETH',
        amount: '20124.50369697',
        available: '20124.50369697',
        availableForWithdrawal: '20124.50369697',
      },
    ]);
    const [request] = fake.requests;
    expect(request).toMatchObject({
      method: 'POST',
      path: '/v1/balances',
      status: 200,
      apiKey: AUDITOR.apiKey,
    });
    expect(request?.headers).toMatchObject({
      'content-type': 'text/plain',
      'content-length': '0',
      'cache-control': 'no-cache',
      'x-gemini-apikey': AUDITOR.apiKey,
    });
    expect(request?.payload).toEqual({ request: '/v1/balances', nonce: request?.nonce });
  });

  it('keeps every digit when Gemini sends amounts as bare JSON numbers', async () => {
    const fake = await startFakeGemini({ keys: [AUDITOR], numericAmounts: true });
    fakes.push(fake);
    fake.setBalances([
      {
        type: 'exchange',
        currency: 'BTC',
        amount: '98765432.123456789012',
        available: '0.00000001',
        availableForWithdrawal: '1.10',
      },
    ]);
    const [balance] = await clientFor(fake).balances();
    expect(balance).toEqual({
      type: 'exchange',
      currency: 'BTC',
      amount: '98765432.123456789012',
      available: '0.00000001',
      availableForWithdrawal: '1.10',
    });
  });

  it('reads notional balances in the configured currency', async () => {
    const fake = await fakeWith();
    const balances = await clientFor(fake).notionalBalances();
    expect(fake.requests[0]?.path).toBe('/v1/notionalbalances/usd');
    expect(balances[0]).toEqual({
      type: 'exchange',
      currency: 'BTC',
      amount: '1154.62034001',
      available: '1129.10517279',
      availableForWithdrawal: '1129.10517279',
      amountNotional: '49937907.02',
      availableNotional: '48834363.28',
      availableForWithdrawalNotional: '48834363.28',
    });
  });

  it('sends a heartbeat and reads a public ticker without signing it', async () => {
    const fake = await fakeWith();
    const client = clientFor(fake);
    await expect(client.heartbeat()).resolves.toBeUndefined();
    const ticker = await client.ticker('BTCUSD');

    expect(ticker).toMatchObject({ bid: '43246.17', ask: '43254.83', last: '43250.50' });
    expect(ticker.volume).toEqual({ BTC: '1234.56789012', USD: '53395678.53' });
    expect(ticker.volumeTimestampMs).toBeGreaterThan(1_600_000_000_000);
    const tickerRequest = fake.requests.at(-1);
    expect(tickerRequest).toMatchObject({ method: 'GET', path: '/v1/pubticker/btcusd', status: 200 });
    expect(tickerRequest?.headers['x-gemini-signature']).toBeUndefined();
    expect(tickerRequest?.headers['x-gemini-payload']).toBeUndefined();
  });

  it('gets 100 concurrent balance calls accepted with 100 distinct, increasing nonces', async () => {
    const fake = await fakeWith();
    const client = clientFor(fake, AUDITOR, { now: () => 1_700_000_000_000 });
    const results = await Promise.all(Array.from({ length: 100 }, () => client.balances()));

    expect(results).toHaveLength(100);
    const nonces = fake.requests.map((request) => request.nonce ?? Number.NaN);
    expect(fake.requests.every((request) => request.status === 200)).toBe(true);
    expect(new Set(nonces).size).toBe(100);
    for (let i = 1; i < nonces.length; i++) expect(nonces[i]).toBeGreaterThan(nonces[i - 1]!);
  });

  it('continues above the last nonce after a restart, even with the clock set back an hour', async () => {
    const fake = await fakeWith();
    const store = createMemoryNonceStore();
    const t0Ms = Date.now();
    const before = clientFor(fake, AUDITOR, { store, now: () => t0Ms });
    await before.balances();
    await before.balances();
    const lastBefore = fake.lastNonce(AUDITOR.apiKey)!;

    const after = clientFor(fake, AUDITOR, { store, now: () => t0Ms - 3_600_000 });
    await expect(after.balances()).resolves.toHaveLength(3);
    expect(fake.requests.at(-1)).toMatchObject({ status: 200, nonce: lastBefore + 1 });

    // Without the persisted nonce the same restart would be refused.
    const forgetful = clientFor(fake, AUDITOR, {
      store: createMemoryNonceStore(),
      now: () => t0Ms - 3_600_000,
    });
    const error = await failureOf(forgetful.balances(), ApiError);
    expect(error.reason).toBe('InvalidNonce');
  });

  it('retries a 429 once with a fresh nonce and succeeds', async () => {
    const fake = await fakeWith();
    fake.fail429(1);
    await expect(clientFor(fake).balances()).resolves.toHaveLength(3);

    expect(fake.requests.map((request) => request.status)).toEqual([429, 200]);
    const [first, second] = fake.requests;
    expect(second!.nonce!).toBeGreaterThan(first!.nonce!);
    expect(second!.headers['x-gemini-signature']).not.toBe(first!.headers['x-gemini-signature']);
  });

  it('retries 5xx but gives up after three attempts with a Maintenance hint', async () => {
    const fake = await fakeWith();
    fake.fail(503, 'Maintenance', 3);
    const error = await failureOf(clientFor(fake).balances(), ApiError);

    expect(fake.requests.map((request) => request.status)).toEqual([503, 503, 503]);
    expect(error).toMatchObject({ service: 'gemini', status: 503, method: 'POST', path: '/v1/balances' });
    expect(error.message).toBe(
      'gemini: POST /v1/balances failed with 503: Failure injected by the fake: Maintenance (Gemini is down for maintenance: try again later)',
    );
  });

  it('uses the account for a master key', async () => {
    const master: FakeGeminiKey = {
      apiKey: 'master-group1',
      apiSecret: 'master-secret-77',
      roles: ['Auditor'],
    };
    const fake = await fakeWith(master);
    await expect(
      clientFor(fake, master, { config: { account: 'primary' } }).balances(),
    ).resolves.toHaveLength(3);
    expect(fake.requests[0]?.payload).toMatchObject({ request: '/v1/balances', account: 'primary' });
  });

  it('accepts time-based nonces in seconds from a key created with them', async () => {
    const timeKey: FakeGeminiKey = { apiKey: 'account-timed', apiSecret: 'timed-secret-55', timeBased: true };
    const fake = await fakeWith(timeKey);
    const client = clientFor(fake, timeKey, { config: { time_based_nonce: true } });
    await Promise.all([client.balances(), client.balances(), client.balances()]);

    const nowS = Math.floor(Date.now() / 1000);
    for (const request of fake.requests) {
      expect(request.status).toBe(200);
      expect(Math.abs(request.nonce! - nowS)).toBeLessThanOrEqual(30);
    }
  });

  describe('turns each Gemini refusal into an ApiError with a plain-words hint', () => {
    const master: FakeGeminiKey = { apiKey: 'master-group1', apiSecret: 'master-secret-77' };
    const noRole: FakeGeminiKey = { apiKey: 'account-norole', apiSecret: 'norole-secret-11', roles: [] };
    const timeKey: FakeGeminiKey = { apiKey: 'account-timed', apiSecret: 'timed-secret-55', timeBased: true };
    const cases: Array<{
      name: string;
      key: Pick<FakeGeminiKey, 'apiKey' | 'apiSecret'>;
      config?: Partial<GeminiConfig>;
      prepare?: (fake: FakeGemini) => void | Promise<void>;
      status: number;
      reason: string;
      hint: string;
    }> = [
      {
        name: 'a wrong secret',
        key: { apiKey: AUDITOR.apiKey, apiSecret: 'not-the-secret' },
        status: 400,
        reason: 'InvalidSignature',
        hint: 'the API secret does not match the API key',
      },
      {
        name: 'an unknown key',
        key: { apiKey: 'account-unknown', apiSecret: 'whatever-secret' },
        status: 400,
        reason: 'InvalidApiKey',
        hint: 'Gemini does not know this API key',
      },
      {
        name: 'a key without a balance role',
        key: noRole,
        status: 403,
        reason: 'MissingRole',
        hint: 'the API key lacks the role for this call: balances need the Auditor role',
      },
      {
        name: 'a master key without an account',
        key: master,
        status: 400,
        reason: 'MissingAccounts',
        hint: 'this is a master (group) key: set gemini.account',
      },
      {
        name: 'a master key naming an unknown account',
        key: master,
        config: { account: 'nope' },
        status: 400,
        reason: 'InvalidAccountName',
        hint: 'check gemini.account',
      },
      {
        name: 'an account key sending an account',
        key: AUDITOR,
        config: { account: 'primary' },
        status: 400,
        reason: 'AccountsOnGroupOnlyApi',
        hint: 'gemini.account is only for master (group) keys',
      },
      {
        name: 'a nonce below one another program already used',
        key: AUDITOR,
        prepare: async (fake) => {
          const other = signGeminiRequest(
            { request: '/v1/heartbeat', nonce: Date.now() + 86_400_000 },
            AUDITOR.apiKey,
            AUDITOR.apiSecret,
          );
          await fetch(`${fake.url}/v1/heartbeat`, {
            method: 'POST',
            headers: withoutContentLength(other.headers),
          });
        },
        status: 400,
        reason: 'InvalidNonce',
        hint: 'the nonce went backwards: another program uses this API key',
      },
      {
        name: 'millisecond nonces sent to a time-based key',
        key: timeKey,
        status: 400,
        reason: 'InvalidNonce',
        hint: 'set gemini.time_based_nonce to true',
      },
      {
        name: 'a rate limit that outlasts the retries',
        key: AUDITOR,
        prepare: (fake) => fake.fail429(3),
        status: 429,
        reason: 'RateLimit',
        hint: 'rate limited: Gemini allows about 600 private requests a minute',
      },
    ];

    it.each(cases)('$reason for $name', async ({ key, config, prepare, status, reason, hint }) => {
      const fake = await fakeWith(AUDITOR, master, noRole, timeKey);
      await prepare?.(fake);
      const error = await failureOf(clientFor(fake, key, config ? { config } : {}).balances(), ApiError);

      expect(error).toMatchObject({
        service: 'gemini',
        status,
        reason,
        method: 'POST',
        path: '/v1/balances',
      });
      expect(error.message).toMatch(new RegExp(`^gemini: POST /v1/balances failed with ${status}: .+ \\(`));
      expect(error.message).toContain(hint);
    });
  });

  it('turns a refused connection into a NetworkError without retrying', async () => {
    const fake = await fakeWith();
    const client = clientFor(fake);
    const url = fake.url;
    await fake.close();
    fakes.splice(fakes.indexOf(fake), 1);

    const error = await failureOf(client.balances(), NetworkError);
    expect(error.message).toBe(`gemini is unreachable (connection refused at ${url}/v1/balances)`);
  });

  it('turns a slow answer into a NetworkError naming the timeout', async () => {
    const fake = await fakeWith();
    fake.setLatencyMs(1_000);
    const error = await failureOf(
      clientFor(fake, AUDITOR, { config: { timeout_ms: 200 } }).balances(),
      NetworkError,
    );
    expect(error.reasonText).toBe('timed out after 200 ms');
  });

  it('rejects a balance that is not a decimal with a ValidationError', async () => {
    const fake = await fakeWith();
    fake.setBalances([
      { type: 'exchange', currency: 'BTC', amount: 'lots', available: '1', availableForWithdrawal: '1' },
    ]);
    const error = await failureOf(clientFor(fake).balances(), ValidationError);
    expect(error.message).toMatch(/^gemini POST \/v1\/balances response did not match .*0\.amount/);
  });
});

describe('the fake verifies like Gemini', () => {
  function withoutContentLengthHeaders(signed: { headers: Record<string, string> }): Record<string, string> {
    return withoutContentLength(signed.headers);
  }

  it('rejects a signature computed over the raw JSON instead of the base64 payload', async () => {
    const fake = await fakeWith();
    const json = JSON.stringify({ request: '/v1/balances', nonce: Date.now() });
    const payload = Buffer.from(json).toString('base64');
    const overRawJson = createHmac('sha384', AUDITOR.apiSecret).update(json).digest('hex');
    const response = await fetch(`${fake.url}/v1/balances`, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/plain',
        'X-GEMINI-APIKEY': AUDITOR.apiKey,
        'X-GEMINI-PAYLOAD': payload,
        'X-GEMINI-SIGNATURE': overRawJson,
      },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      result: 'error',
      reason: 'InvalidSignature',
      message: 'InvalidSignature',
    });

    const overBase64 = signGeminiRequest(
      { request: '/v1/balances', nonce: Date.now() + 1 },
      AUDITOR.apiKey,
      AUDITOR.apiSecret,
    );
    const accepted = await fetch(`${fake.url}/v1/balances`, {
      method: 'POST',
      headers: withoutContentLengthHeaders(overBase64),
    });
    expect(accepted.status).toBe(200);
  });

  it.each([
    ['X-GEMINI-APIKEY', 'MissingApikeyHeader'],
    ['X-GEMINI-PAYLOAD', 'MissingPayloadHeader'],
    ['X-GEMINI-SIGNATURE', 'MissingSignatureHeader'],
  ])('answers 400 %s missing with %s', async (header, reason) => {
    const fake = await fakeWith();
    const signed = signGeminiRequest(
      { request: '/v1/balances', nonce: Date.now() },
      AUDITOR.apiKey,
      AUDITOR.apiSecret,
    );
    const headers = withoutContentLengthHeaders(signed);
    delete headers[header];
    const response = await fetch(`${fake.url}/v1/balances`, { method: 'POST', headers });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ result: 'error', reason });
  });

  it('refuses a payload whose request differs from the path, and a repeated nonce', async () => {
    const fake = await fakeWith();
    const nonce = Date.now();
    const mismatched = signGeminiRequest(
      { request: '/v1/heartbeat', nonce },
      AUDITOR.apiKey,
      AUDITOR.apiSecret,
    );
    const mismatch = await fetch(`${fake.url}/v1/balances`, {
      method: 'POST',
      headers: withoutContentLengthHeaders(mismatched),
    });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toMatchObject({ reason: 'EndpointMismatch' });

    const signed = signGeminiRequest(
      { request: '/v1/balances', nonce: nonce + 1 },
      AUDITOR.apiKey,
      AUDITOR.apiSecret,
    );
    const first = await fetch(`${fake.url}/v1/balances`, {
      method: 'POST',
      headers: withoutContentLengthHeaders(signed),
    });
    const replay = await fetch(`${fake.url}/v1/balances`, {
      method: 'POST',
      headers: withoutContentLengthHeaders(signed),
    });
    expect(first.status).toBe(200);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ reason: 'InvalidNonce' });
  });
});

describe('secrets never leak', () => {
  it('keeps a canary api_secret, payloads and signatures out of every error and log line', async () => {
    const canary = 'CANARY-s3cr3t-9f1e7d';
    const canaryKey: FakeGeminiKey = { apiKey: 'account-canary', apiSecret: canary };
    const fake = await fakeWith(canaryKey, {
      apiKey: 'account-norole',
      apiSecret: 'norole-secret-11',
      roles: [],
    });
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const logger = createLogger({ level: 'trace', destination });
    const client = clientFor(fake, canaryKey, { logger });
    // The same key with a wrong secret (InvalidSignature), so the canary is also the thing that differs.
    const wrongSecret = clientFor(fake, { apiKey: 'account-canary', apiSecret: `${canary}-old` }, { logger });
    const errors: unknown[] = [];
    const collect = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        errors.push(error);
      }
    };

    await collect(client.balances());
    await collect(client.notionalBalances());
    await collect(client.heartbeat());
    await collect(wrongSecret.balances());
    fake.fail429(3);
    await collect(client.balances());
    fake.fail(500, 'System', 1);
    await collect(client.balances());
    await collect(clientFor(fake, canaryKey, { config: { account: 'primary' }, logger }).balances());
    await collect(
      clientFor(fake, canaryKey, { store: createMemoryNonceStore(), now: () => 1, logger }).balances(),
    );
    fake.setBalances([
      { type: 'exchange', currency: 'BTC', amount: 'x', available: '1', availableForWithdrawal: '1' },
    ]);
    await collect(client.balances());
    fake.setLatencyMs(500);
    await collect(clientFor(fake, canaryKey, { config: { timeout_ms: 100 }, logger }).balances());
    fake.setLatencyMs(0);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(errors.length).toBeGreaterThanOrEqual(6);
    expect(lines.length).toBeGreaterThan(10);
    const sentSecrets = fake.requests.flatMap((request) =>
      [request.headers['x-gemini-payload'], request.headers['x-gemini-signature']].filter(
        (value): value is string => value !== undefined,
      ),
    );
    expect(sentSecrets.length).toBeGreaterThan(10);
    const texts = [
      ...lines,
      ...errors.flatMap((error) => [
        String(error),
        error instanceof Error ? (error.stack ?? '') : '',
        JSON.stringify(error, Object.getOwnPropertyNames(error)),
      ]),
    ];
    for (const text of texts) {
      expect(text).not.toContain(canary);
      expect(text).not.toContain('CANARY');
      for (const secret of sentSecrets) expect(text).not.toContain(secret);
    }
  });
});

function withoutContentLength(headers: Record<string, string>): Record<string, string> {
  const { 'Content-Length': _contentLength, ...rest } = headers;
  return rest;
}
