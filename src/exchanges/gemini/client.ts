import ky, { HTTPError, type KyInstance, type RetryOptions, TimeoutError } from 'ky';
import type { z } from 'zod';
import type { GeminiConfig } from '../../config/schema.js';
import {
  ApiError,
  NetworkError,
  UserInputError,
  ValidationError,
  classifyNetworkFailure,
} from '../../errors.js';
import type { Logger } from '../../logger.js';
import { createRedactor } from '../../redact.js';
import type { NonceSource } from './nonce.js';
import {
  type GeminiBalance,
  type GeminiNotionalBalance,
  type GeminiTicker,
  geminiBalancesSchema,
  geminiErrorBodySchema,
  geminiHeartbeatSchema,
  geminiNotionalBalancesSchema,
  geminiTickerSchema,
  quoteJsonNumbers,
} from './schemas.js';
import { signGeminiRequest } from './signer.js';

export type { GeminiBalance, GeminiNotionalBalance, GeminiTicker } from './schemas.js';

export interface GeminiClient {
  /** `POST /v1/balances`: every currency's amount, available and withdrawable, as decimal strings. */
  balances(): Promise<GeminiBalance[]>;
  /** `POST /v1/notionalbalances/:currency`, by default in `config.notional_currency`. */
  notionalBalances(currency?: string): Promise<GeminiNotionalBalance[]>;
  /** `POST /v1/heartbeat`: any valid key may call it, so it checks key, secret and nonce cheaply. */
  heartbeat(): Promise<void>;
  /** `GET /v1/pubticker/:symbol` (public, unsigned), e.g. `btcusd`. */
  ticker(symbol: string): Promise<GeminiTicker>;
}

export interface GeminiClientDeps {
  config: GeminiConfig;
  nonces: NonceSource;
  logger?: Logger;
}

const SERVICE = 'gemini';

/**
 * Retries: Gemini's balance calls have no side effects and every attempt is signed afresh with
 * a new nonce (a replayed nonce is refused), so POSTs are retried too, but only on 429 and 5xx.
 * Delays 300 ms, 600 ms, or the server's Retry-After up to 5 s; the private limit is about 600
 * requests a minute (https://docs.gemini.com/rest/rate-limits).
 */
const RETRY = {
  limit: 2,
  methods: ['get', 'post'],
  statusCodes: [429, 500, 502, 503, 504],
  afterStatusCodes: [429, 503],
  maxRetryAfter: 5_000,
  backoffLimit: 5_000,
} satisfies RetryOptions;

/**
 * Returns a plain-words hint for a Gemini error reason (or the status when the reason is
 * unknown); undefined when there is nothing useful to add.
 */
export function geminiErrorHint(
  reason: string | undefined,
  status: number,
  opts: { timeBasedNonce: boolean } = { timeBasedNonce: false },
): string | undefined {
  switch (reason) {
    case 'InvalidSignature':
      return "the API secret does not match the API key: copy gemini.api_secret again from Gemini's API settings";
    case 'InvalidNonce':
      return opts.timeBasedNonce
        ? "the nonce is outside Gemini's ±30 s window: sync this host's clock (NTP), or set gemini.time_based_nonce to false if the key was not created with a time-based nonce"
        : 'the nonce went backwards: another program uses this API key (give the bot a key of its own), or set gemini.time_based_nonce to true if the key was created with a time-based nonce';
    case 'InvalidApiKey':
      return 'Gemini does not know this API key: check gemini.api_key, and that sandbox keys go to api.sandbox.gemini.com and live keys to api.gemini.com';
    case 'MissingAccounts':
    case 'MissingAccountName':
    case 'MissingAccount':
    case 'AccountRequired':
      return 'this is a master (group) key: set gemini.account to the sub-account to query';
    case 'AccountsOnGroupOnlyApi':
      return 'gemini.account is only for master (group) keys: remove it for this account-level key';
    case 'EndpointMismatch':
      return 'the signed request path differs from the URL: check that gemini.base_url has no extra path and that no proxy rewrites paths';
    case 'MissingApikeyHeader':
    case 'MissingPayloadHeader':
    case 'MissingSignatureHeader':
    case 'InvalidJson':
      return 'the signed headers did not reach Gemini intact: a proxy between the bot and Gemini may strip or alter X-GEMINI-* headers';
    case 'InvalidSymbol':
      return 'unknown symbol: use a Gemini symbol such as btcusd or ethusd';
    case 'Maintenance':
      return 'Gemini is down for maintenance: try again later';
    case 'RateLimit':
    case 'RateLimited':
      return 'rate limited: Gemini allows about 600 private requests a minute (keep to 5 a second); wait a minute and try again';
    default:
      break;
  }
  if (reason !== undefined && /role|permission/i.test(reason)) {
    return 'the API key lacks the role for this call: balances need the Auditor role (read-only, recommended for this bot), Trader or Fund Manager';
  }
  if (reason !== undefined && /account/i.test(reason)) {
    return 'check gemini.account: it must name a sub-account of this master key, and only master keys may send it';
  }
  if (status === 429) return geminiErrorHint('RateLimit', status, opts);
  if (status === 403) return geminiErrorHint('MissingRole', status, opts);
  if (status === 404)
    return 'unknown endpoint: check gemini.base_url (https://api.gemini.com or https://api.sandbox.gemini.com)';
  if (status === 503) return geminiErrorHint('Maintenance', status, opts);
  if (status >= 500) return 'Gemini had a server error: try again later';
  return undefined;
}

/** Returns the path of a URL, without query string or host. */
function pathOf(url: string): string {
  return new URL(url).pathname;
}

/**
 * Creates the Gemini client: private calls signed per attempt in ky's `beforeRequest` hook,
 * responses checked with zod, errors turned into `ApiError` / `NetworkError` /
 * `ValidationError` whose texts never carry the secret, a payload or a signature.
 *
 * Gemini requires a key's nonces to increase in the order requests *arrive*, so this client
 * sends its private calls one at a time: concurrent callers queue rather than race each other
 * into `InvalidNonce`. Public calls are not queued.
 */
export function createGeminiClient(deps: GeminiClientDeps): GeminiClient {
  const { config, nonces, logger } = deps;
  const api: KyInstance = ky.create({
    prefixUrl: config.base_url,
    timeout: config.timeout_ms,
    retry: {
      ...RETRY,
      // Only an answer (429/5xx) is retried; a missing answer surfaces at once as NetworkError.
      shouldRetry: ({ error }) => (error instanceof HTTPError ? undefined : false),
    },
    hooks: {
      beforeRetry: [
        ({ request, error, retryCount }) => {
          const status = error instanceof HTTPError ? error.response.status : undefined;
          logger?.warn(
            { service: SERVICE, method: request.method, path: pathOf(request.url), status, retryCount },
            'gemini: retrying',
          );
        },
      ],
    },
  });
  let privateQueue: Promise<unknown> = Promise.resolve();

  /** Builds the error for a failed call; `sent` holds this call's payloads and signatures to scrub. */
  async function toError(error: unknown, method: string, path: string, sent: string[]): Promise<Error> {
    const scrub = createRedactor([config.api_secret, config.api_key, ...sent]);
    if (error instanceof HTTPError) {
      const status = error.response.status;
      let body: z.infer<typeof geminiErrorBodySchema> | undefined;
      try {
        const parsed = geminiErrorBodySchema.safeParse(JSON.parse(await error.response.text()));
        body = parsed.success ? parsed.data : undefined;
      } catch {
        body = undefined;
      }
      const reason = body?.reason;
      const detail = body?.message ?? (error.response.statusText || undefined);
      return new ApiError({
        service: SERVICE,
        status,
        method,
        path,
        detail: detail === undefined ? undefined : scrub(detail),
        reason: reason === undefined ? undefined : scrub(reason),
        hint: geminiErrorHint(reason, status, { timeBasedNonce: config.time_based_nonce }),
      });
    }
    const url = `${config.base_url}${path}`;
    if (error instanceof TimeoutError) {
      return new NetworkError({
        service: SERVICE,
        method,
        url,
        kind: 'timeout',
        reason: `timed out after ${config.timeout_ms} ms`,
      });
    }
    if (error instanceof TypeError) {
      // fetch's TypeError carries the system error (ECONNREFUSED...) as its cause; keep only that.
      const cause = error.cause instanceof Error ? error.cause : undefined;
      const { kind, reason } = classifyNetworkFailure(error);
      return new NetworkError({ service: SERVICE, method, url, kind, reason: scrub(reason), cause });
    }
    return error instanceof Error ? error : new Error(scrub(String(error)));
  }

  /** Parses a body with exact decimals and the schema; a mismatch becomes ValidationError. */
  function parseBody<T extends z.ZodType>(
    text: string,
    schema: T,
    method: string,
    path: string,
  ): z.output<T> {
    const where = `${SERVICE} ${method} ${path} response`;
    let json: unknown;
    try {
      json = JSON.parse(quoteJsonNumbers(text));
    } catch {
      throw new ValidationError(where, ['the body is not JSON']);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ValidationError(
        where,
        parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
      );
    }
    return parsed.data;
  }

  /** Sends one signed POST (queued behind earlier private calls) and parses its answer. */
  function privateCall<T extends z.ZodType>(
    path: string,
    schema: T,
    params: Record<string, unknown> = {},
  ): Promise<z.output<T>> {
    const run = async (): Promise<z.output<T>> => {
      const sent: string[] = [];
      const startedMs = Date.now();
      try {
        const text = await api
          .post(path.slice(1), {
            hooks: {
              beforeRequest: [
                (request, _options, { retryCount }) => {
                  const nonce = nonces.next();
                  const payload: Record<string, unknown> = { request: path, nonce, ...params };
                  if (config.account !== null) payload['account'] = config.account;
                  const signed = signGeminiRequest(payload, config.api_key, config.api_secret);
                  sent.push(signed.payload, signed.signature);
                  for (const [name, value] of Object.entries(signed.headers)) {
                    // Node's fetch sets Content-Length: 0 itself for the empty body and rejects a hand-set one.
                    if (name.toLowerCase() !== 'content-length') request.headers.set(name, value);
                  }
                  logger?.debug(
                    { service: SERVICE, method: 'POST', path, nonce, retryCount },
                    'gemini: request',
                  );
                },
              ],
            },
          })
          .text();
        logger?.debug(
          { service: SERVICE, method: 'POST', path, durationMs: Date.now() - startedMs },
          'gemini: ok',
        );
        return parseBody(text, schema, 'POST', path);
      } catch (error) {
        if (error instanceof ValidationError) throw error;
        const mapped = await toError(error, 'POST', path, sent);
        logger?.debug({ service: SERVICE, method: 'POST', path, err: mapped.message }, 'gemini: failed');
        throw mapped;
      }
    };
    const result = privateQueue.then(run, run);
    privateQueue = result.catch(() => undefined);
    return result;
  }

  return {
    balances: () => privateCall('/v1/balances', geminiBalancesSchema),

    notionalBalances: (currency = config.notional_currency) => {
      const code = currency.trim().toLowerCase();
      if (!/^[a-z]{3,5}$/.test(code)) {
        return Promise.reject(new UserInputError(`"${currency}" is not a currency code such as usd`));
      }
      return privateCall(`/v1/notionalbalances/${code}`, geminiNotionalBalancesSchema);
    },

    heartbeat: async () => {
      await privateCall('/v1/heartbeat', geminiHeartbeatSchema);
    },

    ticker: async (symbol) => {
      const code = symbol.trim().toLowerCase();
      if (!/^[a-z0-9]{3,20}$/.test(code)) {
        throw new UserInputError(`"${symbol}" is not a Gemini symbol such as btcusd`);
      }
      const path = `/v1/pubticker/${code}`;
      try {
        const text = await api.get(path.slice(1)).text();
        return parseBody(text, geminiTickerSchema, 'GET', path);
      } catch (error) {
        if (error instanceof ValidationError) throw error;
        throw await toError(error, 'GET', path, []);
      }
    },
  };
}
