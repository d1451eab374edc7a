/**
 * /gemini and /reconcile end to end: the real command router, a config from `parseConfig`, the
 * real Gemini client against the fake Gemini, and the real Freqtrade client against the fake
 * Freqtrade. Every Gemini refusal must reach the user as plain words; no secret, payload or
 * signature may reach a reply or a log line.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessPolicy } from '../src/access/policy.js';
import { geminiCommand, reconcileCommand } from '../src/chat/commands/gemini.js';
import { commandsFor } from '../src/chat/commands/index.js';
import type { GeminiClient } from '../src/exchanges/gemini/client.js';
import { type Reply, renderPlainText } from '../src/chat/reply.js';
import { type CommandRouter, createCommandRouter } from '../src/chat/router.js';
import type { CommandContext } from '../src/chat/types.js';
import { parseConfig } from './support/config.js';
import { enabledGemini } from '../src/config/schema.js';
import { createGeminiClient } from '../src/exchanges/gemini/client.js';
import { createMemoryNonceStore, createNonceSource } from '../src/exchanges/gemini/nonce.js';
import type { GeminiBalance } from '../src/exchanges/gemini/schemas.js';
import { createFleet } from '../src/freqtrade/fleet.js';
import { balancesSchema } from '../src/freqtrade/schemas.js';
import { createLogger } from '../src/logger.js';
import { openStore } from '../src/store/store.js';
import { callApi, type FakeFreqtrade, startFakeFreqtrade } from './fakes/fake-freqtrade.js';
import { type FakeGemini, type FakeGeminiKey, startFakeGemini } from './fakes/fake-gemini.js';

const AUDITOR: FakeGeminiKey = {
  apiKey: 'account-chatops1',
  apiSecret: 'gemini-secret-Zx81pQ',
  roles: ['Auditor'],
};

const POLICY: AccessPolicy = {
  access: {
    admins: ['telegram:1'],
    viewers: ['telegram:2'],
    discord_admin_roles: [],
    discord_viewer_roles: [],
  },
  chats: [{ platform: 'telegram', chatId: '100', topicId: null }],
};

const ADMIN = '1';
const VIEWER = '2';

function balance(currency: string, amount: string, available = amount): GeminiBalance {
  return { type: 'exchange', currency, amount, available, availableForWithdrawal: available };
}

interface HarnessOptions {
  /** `gemini.viewers_allowed`, which sets both commands' role. */
  viewersAllowed?: boolean;
  /** The key the fake Gemini knows (default AUDITOR). */
  key?: FakeGeminiKey;
  /** The secret in the bot's config, when it should differ from the key's. */
  configSecret?: string;
  geminiBalances?: GeminiBalance[];
  numericAmounts?: boolean;
  /** Extra USD prices for the fake's notional balances. */
  pricesUsd?: Record<string, string>;
  /** The Gemini client's nonce clock. */
  nonceNow?: () => number;
  /** `gemini.enabled` in the config (default true). */
  geminiEnabled?: boolean;
  /** Give the commands the Gemini client in `services.gemini` (default true when enabled). */
  registerClient?: boolean;
}

interface Harness {
  router: CommandRouter;
  gemini: FakeGemini;
  freqtrade: FakeFreqtrade;
  /** Every log line so far. */
  logs: string[];
  /** Every reply so far, rendered as plain text. */
  replies: string[];
  /** Sends `text` in the allowed group as `userId` and returns the rendered reply. */
  ask(text: string, userId?: string): Promise<string>;
  /** Like `ask`, but returns the reply itself. */
  askReply(text: string, userId?: string): Promise<Reply>;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function contextOf(userId: string): CommandContext {
  return { platform: 'telegram', chatId: '100', userId, threadId: null, isPrivate: false };
}

async function setup(opts: HarnessOptions = {}): Promise<Harness> {
  const key = opts.key ?? AUDITOR;
  const gemini = await startFakeGemini({
    keys: [key],
    ...(opts.geminiBalances ? { balances: opts.geminiBalances } : {}),
    ...(opts.numericAmounts ? { numericAmounts: true } : {}),
    ...(opts.pricesUsd ? { pricesUsd: opts.pricesUsd } : {}),
  });
  closers.push(() => gemini.close());
  const freqtrade = await startFakeFreqtrade({ stakeCurrency: 'USD' });
  closers.push(() => freqtrade.close());
  // A live bot: its balances are the exchange's, not a simulated wallet.
  freqtrade.state.dryRun = false;

  const logs: string[] = [];
  const logger = createLogger({
    level: 'trace',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs.push(chunk.toString('utf8'));
        callback();
      },
    }),
  });
  const enabled = opts.geminiEnabled ?? true;
  const config = parseConfig({
    bots: [{ name: 'alpha', api_url: freqtrade.url, username: 'freqtrader', password: 'secret-pass' }],
    access: POLICY.access,
    gemini: enabled
      ? {
          enabled: true,
          api_key: key.apiKey,
          api_secret: opts.configSecret ?? key.apiSecret,
          base_url: gemini.url,
          viewers_allowed: opts.viewersAllowed ?? false,
          timeout_ms: 5_000,
        }
      : { enabled: false },
  });
  const store = await openStore({ path: null, logger, auditMaxEntries: 100 });
  const fleet = createFleet(config.bots, { logger, retry: { limit: 0, backoffMs: 1 } });
  let client: GeminiClient | undefined;
  const geminiConfig = enabledGemini(config);
  if (geminiConfig && (opts.registerClient ?? true)) {
    const nonces = createNonceSource({
      store: createMemoryNonceStore(),
      key: `gemini:${geminiConfig.api_key}`,
      ...(opts.nonceNow ? { now: opts.nonceNow } : {}),
    });
    client = createGeminiClient({ config: geminiConfig, nonces, logger });
  }
  const router = createCommandRouter({
    services: { config, fleet, store, logger, now: () => Date.now(), ...(client ? { gemini: client } : {}) },
    // Registered even without a client, to check the commands' own guard.
    commands: commandsFor([geminiCommand, reconcileCommand], { config, services: new Set(['gemini']) }),
    policy: POLICY,
  });
  const replies: string[] = [];
  const askReply = async (text: string, userId = ADMIN): Promise<Reply> => {
    const reply = await router.handleText(contextOf(userId), text);
    if (reply === null) throw new Error(`no reply to ${text}`);
    replies.push(renderPlainText(reply));
    return reply;
  };
  return {
    router,
    gemini,
    freqtrade,
    logs,
    replies,
    askReply,
    ask: async (text, userId) => renderPlainText(await askReply(text, userId)),
  };
}

/** The wallet rows the fake Freqtrade reports in `/balance`: [currency, balance] (no positions). */
async function freqtradeWallet(freqtrade: FakeFreqtrade): Promise<Array<[string, number]>> {
  const answer = await callApi(freqtrade, '/balance');
  expect(answer.status).toBe(200);
  return balancesSchema
    .parse(answer.body)
    .currencies.filter((row) => !row.is_position)
    .map((row) => [row.currency, row.balance]);
}

/** Sets the fake Gemini's balances to exactly what the fake Freqtrade reports (its JSON digits). */
async function mirrorFreqtradeOnGemini(h: Harness): Promise<Array<[string, number]>> {
  const wallet = await freqtradeWallet(h.freqtrade);
  h.gemini.setBalances(wallet.map(([currency, amount]) => balance(currency, String(amount))));
  return wallet;
}

describe('/gemini', () => {
  it('shows every non-zero balance with its exact amount, available amount and USD value', async () => {
    const h = await setup({
      geminiBalances: [
        balance('BTC', '0.12345678', '0.10000001'),
        balance('ETH', '1.1'),
        balance('USD', '0.1'),
        balance('DOGE', '0'),
      ],
      pricesUsd: { DOGE: '0.0812' },
    });
    const text = await h.ask('/gemini');
    expect(text).toContain('💎 Gemini balances');
    const lines = text.split('\n');
    const row = (currency: string) => lines.find((line) => line.startsWith(`${currency} `)) ?? '';
    // 0.12345678 × 43250.50 = 5339.5722..., 1.1 × 2280.15 = 2508.165 (Gemini rounds to cents).
    expect(row('BTC').split(/\s+/)).toEqual(['BTC', '0.12345678', '0.10000001', '5339.57']);
    expect(row('ETH').split(/\s+/)).toEqual(['ETH', '1.1', '1.1', '2508.17']);
    expect(row('USD').split(/\s+/)).toEqual(['USD', '0.1', '0.1', '0.10']);
    expect(text).not.toContain('DOGE');
    expect(text).toContain('Total value: 7847.84 USD');
    // Sorted by value, largest first.
    expect(lines.indexOf(row('BTC'))).toBeLessThan(lines.indexOf(row('ETH')));
  });

  it('keeps every digit when Gemini sends amounts as bare JSON numbers', async () => {
    const h = await setup({ geminiBalances: [balance('BTC', '98765432.12345678')], numericAmounts: true });
    const text = await h.ask('/gemini');
    expect(text).toContain('98765432.12345678');
    expect(text).toContain('4271654322055.57');
  });

  it('filters by the currencies given, in any case, and names those it holds none of', async () => {
    const h = await setup();
    const text = await h.ask('/gemini eth usd doge');
    expect(text).toContain('20124.50369697');
    expect(text).toContain('18722.79');
    expect(text).not.toContain('1154.62034001');
    expect(text).toContain('No balance in DOGE.');
  });

  it('says so when Gemini holds nothing', async () => {
    const h = await setup({ geminiBalances: [balance('BTC', '0')] });
    expect(await h.ask('/gemini')).toContain('No balances on Gemini.');
  });

  it('refuses a currency argument that is not a code', async () => {
    const h = await setup();
    const text = await h.ask('/gemini BTC/USD');
    expect(text).toContain('expected currency codes such as BTC ETH');
    expect(text).toContain('Usage: /gemini [currencies…]');
    expect(h.gemini.requests).toHaveLength(0);
  });

  it('refreshes in place with the same currency filter', async () => {
    const h = await setup();
    const reply = await h.askReply('/gemini BTC ETH');
    const refresh = reply.buttons?.flat().find((button) => button.label.includes('Refresh'));
    expect(refresh).toBeDefined();
    h.gemini.setBalances([balance('BTC', '2.5'), balance('ETH', '3'), balance('USD', '7')]);
    const outcome = await h.router.handleButton(contextOf(ADMIN), refresh?.action ?? '');
    expect(outcome.mode).toBe('edit');
    const text = renderPlainText(outcome.reply ?? { blocks: [] });
    expect(text).toContain('2.5');
    expect(text).not.toMatch(/^USD /m);
  });
});

describe('/reconcile', () => {
  it('says plainly that all currencies match when Gemini holds what Freqtrade reports', async () => {
    const h = await setup();
    h.freqtrade.addTrade({ pair: 'BTC/USD', amount: 0.02312345, openRate: 43250.5 });
    h.freqtrade.addTrade({ pair: 'ETH/USD', amount: 0.1, openRate: 2280.15 });
    const wallet = await mirrorFreqtradeOnGemini(h);
    expect(wallet.map(([currency]) => currency).sort()).toEqual(['BTC', 'ETH', 'USD']);

    const text = await h.ask('/reconcile');
    expect(text).toContain('✅ Gemini matches alpha');
    expect(text).toContain('All 3 currencies match within 0.1%.');
    expect(text).toContain('0.02312345');
    expect(text).not.toContain('⚠');
    const usd = wallet.find(([currency]) => currency === 'USD')?.[1];
    expect(text).toContain(String(usd));
  });

  it('flags a difference above the tolerance and a currency only one side holds, with exact differences', async () => {
    const h = await setup();
    h.freqtrade.addTrade({ pair: 'BTC/USD', amount: 0.5, openRate: 43250.5 });
    const wallet = await mirrorFreqtradeOnGemini(h);
    const usd = String(wallet.find(([currency]) => currency === 'USD')?.[1]);
    h.gemini.setBalances([balance('BTC', '0.51'), balance('USD', usd), balance('ETH', '1.5')]);

    const text = await h.ask('/reconcile');
    expect(text).toContain('⚠️ Gemini and alpha disagree on 2 of 3 currencies');
    expect(text).toContain('BTC, ETH differ by more than 0.1% of the larger amount.');
    const lines = text.split('\n');
    const row = (currency: string) =>
      (lines.find((line) => line.startsWith(`${currency} `)) ?? '').split(/\s{2,}/);
    expect(row('BTC')).toEqual(['BTC', '0.51', '0.5', '+0.01', '⚠ check']);
    expect(row('ETH')).toEqual(['ETH', '1.5', '0', '+1.5', '⚠ check']);
    expect(row('USD')).toEqual(['USD', usd, usd, '0', 'ok']);
  });

  it('lets a difference within the tolerance pass, and shows it', async () => {
    const h = await setup();
    h.freqtrade.addTrade({ pair: 'BTC/USD', amount: 1, openRate: 43250.5 });
    const wallet = await mirrorFreqtradeOnGemini(h);
    const usd = String(wallet.find(([currency]) => currency === 'USD')?.[1]);
    // 0.0009 of 1 BTC is within 0.1%.
    h.gemini.setBalances([balance('BTC', '0.9991'), balance('USD', usd)]);
    const text = await h.ask('/reconcile');
    expect(text).toContain('All 2 currencies match within 0.1%.');
    expect(text).toContain('-0.0009');
  });

  it('notes that a dry-run bot reports simulated balances', async () => {
    const h = await setup();
    h.freqtrade.state.dryRun = true;
    await mirrorFreqtradeOnGemini(h);
    const text = await h.ask('/reconcile');
    expect(text).toContain(
      'alpha reports "Simulated balances": a simulated wallet is not expected to match Gemini.',
    );
  });

  it('compares with the bot named by bot=', async () => {
    const h = await setup();
    await mirrorFreqtradeOnGemini(h);
    expect(await h.ask('/reconcile bot=alpha')).toContain('The 1 currency matches within 0.1%.');
    expect(await h.ask('/reconcile bot=nosuch')).toContain('Unknown bot "nosuch"');
  });
});

describe('Gemini refusals reach the user as plain words', () => {
  it('InvalidSignature: a wrong secret says the secret does not match the key', async () => {
    const h = await setup({ configSecret: 'not-the-right-secret-42' });
    const text = await h.ask('/gemini');
    expect(h.gemini.requests.at(-1)?.reason).toBe('InvalidSignature');
    expect(text).toContain('Gemini refused /gemini (InvalidSignature, HTTP 400).');
    expect(text).toContain('The API secret does not match the API key');
    expect(text).toContain('gemini.api_secret');
  });

  it('InvalidNonce: another program using the key makes the nonce go backwards', async () => {
    // Another client used the key just now; ours issues nonces from an hour ago.
    const h = await setup({ nonceNow: () => Date.now() - 3_600_000 });
    const other = createGeminiClient({
      config: {
        enabled: true,
        api_key: AUDITOR.apiKey,
        api_secret: AUDITOR.apiSecret,
        base_url: h.gemini.url,
        account: null,
        time_based_nonce: false,
        viewers_allowed: false,
        notional_currency: 'usd',
        tolerance_ratio: 0.001,
        timeout_ms: 5_000,
      },
      nonces: createNonceSource({ store: createMemoryNonceStore(), key: 'other' }),
    });
    await other.heartbeat();
    const text = await h.ask('/reconcile');
    expect(h.gemini.requests.at(-1)?.reason).toBe('InvalidNonce');
    expect(text).toContain('Gemini refused /reconcile (InvalidNonce, HTTP 400).');
    expect(text).toContain('The nonce went backwards: another program uses this API key');
  });

  it('MissingRole: a key without a balance role is told to get the Auditor role', async () => {
    const h = await setup({
      key: { apiKey: 'account-norole1', apiSecret: 'norole-secret-77', roles: ['Custodian'] },
    });
    const text = await h.ask('/gemini');
    expect(text).toContain('Gemini refused /gemini (MissingRole, HTTP 403).');
    expect(text).toContain('The API key lacks the role for this call');
    expect(text).toContain('Auditor');
  });

  it('429 after every retry: says it is rate limited and to wait', async () => {
    const h = await setup();
    h.gemini.fail429(3);
    const text = await h.ask('/gemini');
    expect(h.gemini.requests.filter((request) => request.status === 429)).toHaveLength(3);
    expect(text).toContain('Gemini refused /gemini (RateLimit, HTTP 429).');
    expect(text).toContain('Rate limited: Gemini allows about 600 private requests a minute');
    expect(text).toContain('wait a minute');
  });

  it('a 429 that clears on retry is invisible to the user', async () => {
    const h = await setup();
    h.gemini.fail429(1);
    expect(await h.ask('/gemini')).toContain('1154.62034001');
  });

  it('logs the refusal, since the router does not log what it shows the user', async () => {
    const h = await setup({ configSecret: 'not-the-right-secret-42' });
    await h.ask('/gemini');
    expect(h.logs.some((line) => line.includes('gemini refused') && line.includes('InvalidSignature'))).toBe(
      true,
    );
  });
});

describe('access and configuration', () => {
  it('refuses a viewer unless gemini.viewers_allowed', async () => {
    const h = await setup();
    expect(await h.ask('/gemini', VIEWER)).toBe('You are not allowed to do that here.');
    expect(h.gemini.requests).toHaveLength(0);
  });

  it('lets a viewer run both commands when gemini.viewers_allowed', async () => {
    const h = await setup({ viewersAllowed: true });
    expect(await h.ask('/gemini', VIEWER)).toContain('1154.62034001');
    expect(await h.ask('/reconcile', VIEWER)).toContain('Gemini and alpha disagree');
  });

  it('makes both commands admin-only, or viewer, as gemini.viewers_allowed asks', () => {
    const rolesWith = (viewersAllowed: boolean) => {
      const config = parseConfig({
        bots: [{ name: 'alpha', api_url: 'http://127.0.0.1:1', username: 'u', password: 'p' }],
        gemini: {
          enabled: true,
          api_key: 'account-key',
          api_secret: 'secret',
          viewers_allowed: viewersAllowed,
        },
      });
      return commandsFor([geminiCommand, reconcileCommand], { config, services: new Set(['gemini']) }).map(
        (command) => command.role,
      );
    };
    expect(rolesWith(false)).toEqual(['admin', 'admin']);
    expect(rolesWith(true)).toEqual(['viewer', 'viewer']);
  });

  it('registers both commands only when the Gemini client is configured', () => {
    const config = parseConfig({
      bots: [{ name: 'alpha', api_url: 'http://127.0.0.1:1', username: 'u', password: 'p' }],
    });
    expect(commandsFor([geminiCommand, reconcileCommand], { config, services: new Set() })).toEqual([]);
  });

  it('says Gemini is not enabled when the config turns it off', async () => {
    const h = await setup({ geminiEnabled: false });
    expect(await h.ask('/gemini')).toBe('Gemini is not enabled in this configuration (gemini.enabled).');
    expect(await h.ask('/reconcile')).toBe('Gemini is not enabled in this configuration (gemini.enabled).');
  });

  it('says Gemini is not enabled when no client was registered', async () => {
    const h = await setup({ registerClient: false });
    expect(await h.ask('/gemini')).toBe('Gemini is not enabled in this configuration (gemini.enabled).');
  });
});

describe('canary: no Gemini secret, payload or signature reaches a reply or a log line', () => {
  it('keeps them out through successes and every kind of refusal', async () => {
    const wrongSecret = 'not-the-right-secret-42';
    const good = await setup();
    await mirrorFreqtradeOnGemini(good);
    await good.ask('/gemini');
    await good.ask('/reconcile');
    good.gemini.fail429(3);
    await good.ask('/gemini');
    good.gemini.fail(503, 'Maintenance');
    await good.ask('/reconcile');
    const bad = await setup({ configSecret: wrongSecret });
    await bad.ask('/gemini');
    await bad.ask('/reconcile');

    for (const h of [good, bad]) {
      const sent = h.gemini.requests.flatMap((request) =>
        [request.headers['x-gemini-signature'], request.headers['x-gemini-payload']].filter(
          (value): value is string => value !== undefined,
        ),
      );
      expect(sent.length).toBeGreaterThan(0);
      const secrets = [
        AUDITOR.apiSecret,
        wrongSecret,
        Buffer.from(AUDITOR.apiSecret).toString('base64'),
        ...sent,
      ];
      const everything = [...h.replies, ...h.logs].join('\n');
      expect(h.logs.length).toBeGreaterThan(0);
      for (const secret of secrets) expect(everything).not.toContain(secret);
    }
  });
});
