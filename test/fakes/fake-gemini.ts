import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { GeminiBalance } from '../../src/exchanges/gemini/schemas.js';

/**
 * A fake Gemini REST API on 127.0.0.1 that checks private calls the way Gemini does: the three
 * X-GEMINI-* headers, HMAC-SHA384 over the *base64 payload* (a signature over the raw JSON is
 * refused), `request` equal to the path, nonces strictly increasing per key (or within ±30 s for
 * time-based keys), key roles, and `account` for master keys. Error bodies are Gemini's
 * `{result: "error", reason, message}` with Gemini's status codes.
 */

export interface FakeGeminiKey {
  apiKey: string;
  apiSecret: string;
  /** Gemini role names: "Auditor" (default), "Trader", "Fund Manager", ... */
  roles?: string[];
  /** A master (group) key must send `account`; defaults to `apiKey.startsWith('master-')`. */
  master?: boolean;
  /** Nonces in seconds within ±30 s of the fake's clock instead of a strictly increasing counter. */
  timeBased?: boolean;
}

export interface FakeGeminiOptions {
  keys: FakeGeminiKey[];
  balances?: GeminiBalance[];
  /** Sub-account names a master key may name in `account` (default: ["primary"]). */
  accounts?: string[];
  /** USD price per currency for notional balances and tickers (defaults for BTC, ETH, USD). */
  pricesUsd?: Record<string, string>;
  /** Send balance amounts as bare JSON numbers, as Gemini's schema documents (it really sends strings). */
  numericAmounts?: boolean;
  /** The fake's clock in Unix milliseconds, for time-based nonce checks. */
  now?: () => number;
}

export interface RecordedGeminiRequest {
  method: string;
  path: string;
  /** Lower-case header names, as node:http gives them. */
  headers: Record<string, string>;
  apiKey?: string;
  /** The decoded payload of a private call whose signature checked out. */
  payload?: Record<string, unknown>;
  nonce?: number;
  status: number;
  reason?: string;
}

export interface FakeGemini {
  url: string;
  requests: RecordedGeminiRequest[];
  setBalances(balances: GeminiBalance[]): void;
  /** The next `times` requests get 429 RateLimit (a private call's nonce is consumed first, as a retry must not reuse it). */
  fail429(times: number): void;
  /** The next `times` requests get `status` with `reason` (e.g. 503 Maintenance). */
  fail(status: number, reason: string, times?: number): void;
  /** Delay every answer by this many milliseconds (timeouts). */
  setLatencyMs(ms: number): void;
  /** The highest nonce accepted for a key. */
  lastNonce(apiKey: string): number | undefined;
  close(): Promise<void>;
}

const DEFAULT_BALANCES: GeminiBalance[] = [
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
];

const DEFAULT_PRICES_USD: Record<string, string> = { BTC: '43250.50', ETH: '2280.15', USD: '1' };

/** Roles that may read balances (https://docs.gemini.com/rest/fund-management#get-available-balances). */
const BALANCE_ROLES = new Set(['auditor', 'trader', 'fundmanager', 'fund manager']);

interface KeyState extends Required<FakeGeminiKey> {
  lastNonce: number | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class GeminiRefusal {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly message: string,
  ) {}
}

/** Returns a × b rounded half-up to `scale` decimals, computed exactly on decimal strings. */
function multiplyDecimals(a: string, b: string, scale: number): string {
  const parse = (value: string): { digits: bigint; decimals: number } => {
    const [whole = '0', fraction = ''] = value.split('.');
    return { digits: BigInt(whole + fraction), decimals: fraction.length };
  };
  const x = parse(a);
  const y = parse(b);
  const product = x.digits * y.digits;
  const shift = x.decimals + y.decimals - scale;
  let scaled: bigint;
  if (shift <= 0) scaled = product * 10n ** BigInt(-shift);
  else {
    const divisor = 10n ** BigInt(shift);
    scaled = (product + divisor / 2n) / divisor;
  }
  const text = scaled.toString().padStart(scale + 1, '0');
  return scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
}

/** Returns JSON text in which the listed string fields are written as bare numbers. */
function jsonWithNumericFields(value: unknown, fields: Set<string>): string {
  const marker = '\u0000num:';
  const text = JSON.stringify(value, (key, field: unknown) =>
    fields.has(key) && typeof field === 'string' ? `${marker}${field}` : field,
  );
  return text.replace(/"\\u0000num:([^"]+)"/g, '$1');
}

const AMOUNT_FIELDS = new Set([
  'amount',
  'available',
  'availableForWithdrawal',
  'amountNotional',
  'availableNotional',
  'availableForWithdrawalNotional',
]);

/** Starts the fake on 127.0.0.1 at a free port. */
export async function startFakeGemini(opts: FakeGeminiOptions): Promise<FakeGemini> {
  const keys = new Map<string, KeyState>();
  for (const key of opts.keys) {
    keys.set(key.apiKey, {
      apiKey: key.apiKey,
      apiSecret: key.apiSecret,
      roles: key.roles ?? ['Auditor'],
      master: key.master ?? key.apiKey.startsWith('master-'),
      timeBased: key.timeBased ?? false,
      lastNonce: undefined,
    });
  }
  const accounts = new Set(opts.accounts ?? ['primary']);
  const pricesUsd = { ...DEFAULT_PRICES_USD, ...opts.pricesUsd };
  const now = opts.now ?? Date.now;
  const requests: RecordedGeminiRequest[] = [];
  let balances = structuredClone(opts.balances ?? DEFAULT_BALANCES);
  let failures: Array<{ status: number; reason: string }> = [];
  let latencyMs = 0;

  const takeFailure = (): GeminiRefusal | undefined => {
    const failure = failures.shift();
    if (!failure) return undefined;
    const message =
      failure.status === 429
        ? 'Requests were made too frequently. Please slow down and try again.'
        : `Failure injected by the fake: ${failure.reason}`;
    return new GeminiRefusal(failure.status, failure.reason, message);
  };

  /** Checks a private call like Gemini and returns its key and payload, or throws a refusal. */
  const authenticate = (
    req: IncomingMessage,
    path: string,
    record: RecordedGeminiRequest,
  ): { key: KeyState; payload: Record<string, unknown> } => {
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    const apiKey = header('x-gemini-apikey');
    const payloadBase64 = header('x-gemini-payload');
    const signature = header('x-gemini-signature');
    if (apiKey === undefined)
      throw new GeminiRefusal(400, 'MissingApikeyHeader', 'No X-GEMINI-APIKEY header');
    record.apiKey = apiKey;
    if (payloadBase64 === undefined)
      throw new GeminiRefusal(400, 'MissingPayloadHeader', 'No X-GEMINI-PAYLOAD header');
    if (signature === undefined) {
      throw new GeminiRefusal(400, 'MissingSignatureHeader', 'No X-GEMINI-SIGNATURE header');
    }
    const key = keys.get(apiKey);
    if (!key) throw new GeminiRefusal(400, 'InvalidApiKey', 'Invalid API key');

    const expected = Buffer.from(createHmac('sha384', key.apiSecret).update(payloadBase64).digest('hex'));
    const given = Buffer.from(signature.toLowerCase());
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new GeminiRefusal(400, 'InvalidSignature', 'InvalidSignature');
    }

    let payload: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(Buffer.from(payloadBase64, 'base64').toString('utf8'));
      if (!isRecord(parsed)) throw new Error('not an object');
      payload = parsed;
    } catch {
      throw new GeminiRefusal(400, 'InvalidJson', 'Could not parse the JSON payload');
    }
    record.payload = payload;
    if (payload['request'] !== path) {
      throw new GeminiRefusal(
        400,
        'EndpointMismatch',
        `EndpointMismatch: the request in the payload (${String(payload['request'])}) does not match ${path}`,
      );
    }

    const rawNonce = payload['nonce'];
    const nonce =
      typeof rawNonce === 'number'
        ? rawNonce
        : typeof rawNonce === 'string' && /^\d+$/.test(rawNonce)
          ? Number(rawNonce)
          : NaN;
    if (!Number.isSafeInteger(nonce))
      throw new GeminiRefusal(400, 'InvalidNonce', 'Nonce is missing or not a number');
    record.nonce = nonce;
    if (key.timeBased) {
      const nowS = Math.floor(now() / 1000);
      if (Math.abs(nonce - nowS) > 30) {
        throw new GeminiRefusal(
          400,
          'InvalidNonce',
          `Nonce '${nonce}' is not within 30 seconds of the server time`,
        );
      }
    } else if (key.lastNonce !== undefined && nonce <= key.lastNonce) {
      throw new GeminiRefusal(
        400,
        'InvalidNonce',
        `Nonce '${nonce}' has not increased since your last call to the Gemini API.`,
      );
    }
    key.lastNonce = key.lastNonce === undefined ? nonce : Math.max(key.lastNonce, nonce);
    return { key, payload };
  };

  const checkAccount = (key: KeyState, payload: Record<string, unknown>): void => {
    const account = payload['account'];
    if (key.master) {
      if (account === undefined) {
        throw new GeminiRefusal(
          400,
          'MissingAccounts',
          'A master API key must name an account in the payload',
        );
      }
      if (typeof account !== 'string' || !accounts.has(account)) {
        throw new GeminiRefusal(
          400,
          'InvalidAccountName',
          `Account '${String(account)}' was not found in this group`,
        );
      }
    } else if (account !== undefined) {
      throw new GeminiRefusal(
        400,
        'AccountsOnGroupOnlyApi',
        'The account parameter is only for master API keys',
      );
    }
  };

  const checkBalanceRole = (key: KeyState): void => {
    if (!key.roles.some((role) => BALANCE_ROLES.has(role.toLowerCase()))) {
      throw new GeminiRefusal(
        403,
        'MissingRole',
        'To access this endpoint, you need to log in to the website and go to the settings page to assign one of these roles [FundManager, Auditor, Trader] to API key',
      );
    }
  };

  const notional = (currency: string) =>
    balances.map((balance) => {
      const price = currency === 'usd' ? pricesUsd[balance.currency.toUpperCase()] : undefined;
      if (price === undefined)
        throw new GeminiRefusal(400, 'InvalidSymbol', `No ${currency} price for ${balance.currency}`);
      return {
        ...balance,
        amountNotional: multiplyDecimals(balance.amount, price, 2),
        availableNotional: multiplyDecimals(balance.available, price, 2),
        availableForWithdrawalNotional: multiplyDecimals(balance.availableForWithdrawal, price, 2),
      };
    });

  const ticker = (symbol: string) => {
    const base = symbol.slice(0, -3).toUpperCase();
    const price = symbol.endsWith('usd') ? pricesUsd[base] : undefined;
    if (price === undefined || base === 'USD') {
      throw new GeminiRefusal(400, 'InvalidSymbol', `Supplied value '${symbol}' is not a valid symbol`);
    }
    return {
      bid: multiplyDecimals(price, '0.9999', 2),
      ask: multiplyDecimals(price, '1.0001', 2),
      last: price,
      volume: { [base]: '1234.56789012', USD: multiplyDecimals('1234.56789012', price, 2), timestamp: now() },
    };
  };

  const handle = (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    record: RecordedGeminiRequest,
  ): string => {
    const method = req.method ?? 'GET';
    const tickerMatch = /^\/v1\/pubticker\/([a-z0-9]+)$/.exec(path);
    if (method === 'GET' && tickerMatch) {
      const failure = takeFailure();
      if (failure) throw failure;
      return JSON.stringify(ticker(tickerMatch[1]!));
    }
    const notionalMatch = /^\/v1\/notionalbalances\/([a-z]+)$/.exec(path);
    const known = path === '/v1/balances' || path === '/v1/heartbeat' || notionalMatch !== null;
    if (!known) throw new GeminiRefusal(404, 'EndpointNotFound', `API entry point \`${path}\` not found`);
    if (method !== 'POST')
      throw new GeminiRefusal(404, 'EndpointNotFound', `API entry point \`${path}\` not found`);

    const { key, payload } = authenticate(req, path, record);
    const failure = takeFailure();
    if (failure) {
      if (failure.status === 429) res.setHeader('Retry-After', '0');
      throw failure;
    }
    if (path === '/v1/heartbeat') return JSON.stringify({ result: 'ok' });
    checkAccount(key, payload);
    checkBalanceRole(key);
    const body = notionalMatch ? notional(notionalMatch[1]!) : balances;
    return opts.numericAmounts ? jsonWithNumericFields(body, AMOUNT_FIELDS) : JSON.stringify(body);
  };

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const record: RecordedGeminiRequest = { method: req.method ?? 'GET', path, headers, status: 200 };
      requests.push(record);
      let status = 200;
      let body: string;
      try {
        body = handle(req, res, path, record);
      } catch (error) {
        if (!(error instanceof GeminiRefusal)) throw error;
        status = error.status;
        record.reason = error.reason;
        body = JSON.stringify({ result: 'error', reason: error.reason, message: error.message });
      }
      record.status = status;
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(body);
      }, latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake Gemini did not get a TCP port');
  const { port } = address;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setBalances(next) {
      balances = structuredClone(next);
    },
    fail429(times) {
      failures = [
        ...failures,
        ...Array.from({ length: times }, () => ({ status: 429, reason: 'RateLimit' })),
      ];
    },
    fail(status, reason, times = 1) {
      failures = [...failures, ...Array.from({ length: times }, () => ({ status, reason }))];
    },
    setLatencyMs(ms) {
      latencyMs = ms;
    },
    lastNonce: (apiKey) => keys.get(apiKey)?.lastNonce,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
