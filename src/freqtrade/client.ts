/**
 * The authenticated Freqtrade REST client: one per bot. It logs in with Basic auth once, then
 * sends Bearer tokens, refreshes them shortly before they expire, and falls back to Basic auth on
 * servers that issue no tokens. Every answer is checked with zod; every failure is an
 * `ApiError` (the server said no), `NetworkError` (no answer) or `ValidationError` (an answer
 * of the wrong shape). Contract: /work/shared/freqtrade-api.md.
 */
import ky, { HTTPError, TimeoutError } from 'ky';
import type { z } from 'zod';
import type { BotConfig } from '../config/schema.js';
import {
  ApiError,
  ConfigError,
  NetworkError,
  UserInputError,
  ValidationError,
  classifyNetworkFailure,
} from '../errors.js';
import { createSilentLogger, type Logger } from '../logger.js';
import {
  type AvailablePairs,
  accessAndRefreshTokenSchema,
  accessTokenSchema,
  anyJsonSchema,
  availablePairsSchema,
  type Balances,
  type Blacklist,
  balancesSchema,
  blacklistSchema,
  type Count,
  type CustomDataEntry,
  countSchema,
  customDataListSchema,
  type DeleteTradeResult,
  deleteTradeResultSchema,
  type EntryStat,
  type ExitStat,
  entryStatListSchema,
  exitStatListSchema,
  type Health,
  healthSchema,
  jwtPayloadSchema,
  type Locks,
  type Logs,
  locksSchema,
  logsSchema,
  type MixTagStat,
  mixTagStatListSchema,
  type OpenTrade,
  openTradeListSchema,
  openTradeSchema,
  type PairHistory,
  type PerformanceEntry,
  type Profit,
  type ProfitAll,
  pairHistorySchema,
  performanceListSchema,
  pingSchema,
  profitAllSchema,
  profitSchema,
  resultMsgSchema,
  type ShowConfig,
  type Stats,
  type StatusMsg,
  type StrategyInfo,
  type SysInfo,
  showConfigSchema,
  statsSchema,
  statusMsgSchema,
  strategyInfoSchema,
  strategyListSchema,
  sysInfoSchema,
  type TimeUnitProfit,
  type Trade,
  type TradeList,
  timeUnitProfitSchema,
  tradeListSchema,
  tradeSchema,
  type Version,
  versionSchema,
  type Whitelist,
  whitelistSchema,
} from './schemas.js';

export interface FreqtradeClientDeps {
  bot: BotConfig;
  /** Default: silent. */
  logger?: Logger;
  /** Retries of idempotent GETs only. Default `{limit: 2, backoffMs: 300}`. */
  retry?: { limit: number; backoffMs: number };
  /** Clock for token-expiry decisions (ms since epoch). Default `Date.now`. */
  now?: () => number;
  /** Index of this bot in the config's `bots` list, to name `bots[i]` in credential hints. */
  configIndex?: number;
  /** Told once per REST call when it ended (metrics, /readyz); `error` is what the call throws. */
  onRequest?(bot: string, outcome: FreqtradeRequestOutcome, error?: unknown): void;
}

/** How a REST call ended: answered, refused (`ApiError`), unanswered (`NetworkError`), or an odd answer (`ValidationError`). */
export type FreqtradeRequestOutcome = 'ok' | 'http_error' | 'network_error' | 'invalid';

export interface ForceEnterBody {
  pair: string;
  side?: 'long' | 'short';
  price?: number;
  ordertype?: 'market' | 'limit';
  stakeamount?: number;
  entry_tag?: string;
  leverage?: number;
}

export interface ForceExitBody {
  tradeid: number | 'all';
  ordertype?: 'market' | 'limit';
  amount?: number;
  price?: number;
}

export interface LockRequest {
  pair: string;
  /** A Date, or a string; a string without a zone is taken as UTC. Sent as ISO UTC with `Z`. */
  until: Date | string;
  side?: '*' | 'long' | 'short';
  reason?: string;
}

export interface FreqtradeClient {
  readonly name: string;
  readonly baseUrl: string;
  ping(): Promise<{ status: string }>;
  version(): Promise<Version>;
  showConfig(): Promise<ShowConfig>;
  logs(limit?: number): Promise<Logs>;
  sysinfo(): Promise<SysInfo>;
  health(): Promise<Health>;
  balance(): Promise<Balances>;
  count(): Promise<Count>;
  entries(pair?: string): Promise<EntryStat[]>;
  exits(pair?: string): Promise<ExitStat[]>;
  mixTags(pair?: string): Promise<MixTagStat[]>;
  performance(): Promise<PerformanceEntry[]>;
  profit(): Promise<Profit>;
  profitAll(): Promise<ProfitAll>;
  stats(): Promise<Stats>;
  daily(timescale?: number): Promise<TimeUnitProfit>;
  weekly(timescale?: number): Promise<TimeUnitProfit>;
  monthly(timescale?: number): Promise<TimeUnitProfit>;
  status(): Promise<OpenTrade[]>;
  /** Closed trades, paged (at most 500 a call); `orderById: false` = newest close first. */
  trades(opts?: { limit?: number; offset?: number; orderById?: boolean }): Promise<TradeList>;
  trade(tradeId: number): Promise<OpenTrade>;
  deleteTrade(tradeId: number): Promise<DeleteTradeResult>;
  cancelOpenOrder(tradeId: number): Promise<OpenTrade>;
  reloadTrade(tradeId: number): Promise<OpenTrade>;
  openTradesCustomData(opts?: { key?: string; limit?: number; offset?: number }): Promise<CustomDataEntry[]>;
  tradeCustomData(tradeId: number, key?: string): Promise<CustomDataEntry[]>;
  /** Opens a trade; a 200 `{status: "Error entering ..."}` answer becomes an `ApiError`. */
  forceEnter(body: ForceEnterBody): Promise<Trade>;
  forceExit(body: ForceExitBody): Promise<{ result: string }>;
  blacklist(): Promise<Blacklist>;
  addBlacklist(pairs: string[]): Promise<Blacklist>;
  deleteBlacklist(pairs: string[]): Promise<Blacklist>;
  whitelist(): Promise<Whitelist>;
  locks(): Promise<Locks>;
  addLocks(locks: LockRequest[]): Promise<Locks>;
  deleteLock(lockId: number): Promise<Locks>;
  deleteLocksBy(by: { pair?: string; lockid?: number }): Promise<Locks>;
  start(): Promise<StatusMsg>;
  stop(): Promise<StatusMsg>;
  pause(): Promise<StatusMsg>;
  reloadConfig(): Promise<StatusMsg>;
  pairCandles(q: { pair: string; timeframe: string; limit?: number }): Promise<PairHistory>;
  /** POST /pair_candles: the same candles, limited to the given dataframe columns. */
  pairCandlesColumns(body: {
    pair: string;
    timeframe: string;
    limit?: number;
    columns?: string[];
  }): Promise<PairHistory>;
  pairHistory(q: {
    pair: string;
    timeframe: string;
    timerange: string;
    strategy: string;
  }): Promise<PairHistory>;
  plotConfig(): Promise<unknown>;
  strategies(): Promise<{ strategies: string[] }>;
  strategy(name: string): Promise<StrategyInfo>;
  availablePairs(q?: { timeframe?: string; stake_currency?: string }): Promise<AvailablePairs>;
  markets(q?: { base?: string; quote?: string }): Promise<unknown>;
  /** The current websocket URL for this bot (ws://host/api/v1/message/ws?token=...), using ws_token or, if null, a fresh access JWT. */
  websocketUrl(): Promise<string>;
}

/** Every REST route lives under this prefix. */
export const API_PREFIX = '/api/v1';

/**
 * Refresh the access token this long before its `exp` (Freqtrade access tokens live 15 min), so
 * a request never leaves with a token that expires on the way. Capped at a quarter of the token's
 * lifetime so short-lived tokens are not refreshed on every call.
 */
export const TOKEN_REFRESH_MARGIN_MS = 30_000;

const DEFAULT_RETRY = { limit: 2, backoffMs: 300 } satisfies Required<
  NonNullable<FreqtradeClientDeps['retry']>
>;

/**
 * Statuses worth retrying on an idempotent GET. Not 502: Freqtrade answers 502 for an RPC refusal
 * ("trader is not running", ...), which a retry cannot change. Not 413 either (ky's default).
 */
const RETRY_STATUS_CODES = [408, 429, 500, 503, 504];

/** Freqtrade's 401 detail for a Bearer token that is expired, malformed or of the wrong type. */
const TOKEN_REJECTED_DETAIL = 'Could not validate credentials';

type HttpMethod = 'GET' | 'POST' | 'DELETE';
type Query = Record<string, string | number | boolean | string[] | undefined>;

interface CallSpec<T> {
  method: HttpMethod;
  /** Path below /api/v1, starting with "/". */
  path: string;
  query?: Query;
  json?: unknown;
  schema: z.ZodType<T>;
  /** false for /ping, the only route without auth. */
  auth?: boolean;
}

interface RawResponse {
  status: number;
  ok: boolean;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
  /** The raw body text, for error details when it was not JSON. */
  text: string;
}

type Credentials = { kind: 'basic'; header: string } | { kind: 'bearer'; header: string; token: string };

interface TokenState {
  access: string;
  /** When the access token expires, on our clock (epoch ms), if readable. */
  accessExpiresAt: number | undefined;
  /** Lifetime of the access token in ms (`exp - iat`), if readable. */
  accessLifetimeMs: number | undefined;
  refresh: string;
  refreshExpiresAt: number | undefined;
}

/** Creates the REST client of one Freqtrade bot. Opens no connection until the first call. */
export function createFreqtradeClient(deps: FreqtradeClientDeps): FreqtradeClient {
  const { bot } = deps;
  const logger = (deps.logger ?? createSilentLogger()).child({ bot: bot.name });
  const retry = { ...DEFAULT_RETRY, ...deps.retry };
  const now = deps.now ?? Date.now;
  const apiRoot = `${bot.api_url}${API_PREFIX}`;
  const basicHeader = `Basic ${Buffer.from(`${bot.username}:${bot.password}`, 'utf8').toString('base64')}`;
  // What a 401 to our credentials means, said so that "refused /status: <this>" reads well in chat.
  const wrongCredentials = `Wrong username or password: ${
    deps.configIndex === undefined
      ? `check the username / password of bot "${bot.name}" in the bots config`
      : `check bots[${deps.configIndex}].username / password`
  }`;

  const http = ky.create({
    timeout: bot.timeout_ms,
    throwHttpErrors: true,
    headers: { accept: 'application/json' },
    retry: {
      limit: retry.limit,
      methods: ['get'],
      statusCodes: RETRY_STATUS_CODES,
      afterStatusCodes: [429, 503],
      maxRetryAfter: bot.timeout_ms,
      delay: (attempt) => retry.backoffMs * 2 ** (attempt - 1),
    },
  });

  // ------------------------------------------------------------------ transport

  /** Sends one request (ky retries idempotent GETs inside); maps "no answer" to NetworkError. */
  async function send(
    method: HttpMethod,
    path: string,
    opts: { query?: Query | undefined; json?: unknown; authorization?: string | undefined },
  ): Promise<RawResponse> {
    const url = `${apiRoot}${path}`;
    const started = performance.now();
    let response: Response;
    try {
      response = await http(url, {
        method,
        searchParams: toSearchParams(opts.query),
        json: opts.json,
        headers: opts.authorization ? { authorization: opts.authorization } : {},
      });
    } catch (error) {
      if (error instanceof HTTPError) {
        response = error.response;
      } else {
        const { kind, reason } =
          error instanceof TimeoutError
            ? { kind: 'timeout' as const, reason: `timed out after ${bot.timeout_ms} ms` }
            : classifyNetworkFailure(error);
        logger.warn({ method, path: `${API_PREFIX}${path}`, reason }, 'freqtrade request got no answer');
        throw new NetworkError({ service: bot.name, method, url: safeUrl(url), kind, reason, cause: error });
      }
    }
    const text = await response.text().catch(() => '');
    logger.debug(
      {
        method,
        path: `${API_PREFIX}${path}`,
        status: response.status,
        ms: Math.round(performance.now() - started),
      },
      'freqtrade request',
    );
    return { status: response.status, ok: response.ok, body: parseJson(text), text };
  }

  /** An ApiError for a non-2xx answer, with Freqtrade's own explanation and a hint where we have one. */
  function apiError(method: HttpMethod, path: string, res: RawResponse, hint?: string): ApiError {
    const detail = errorDetail(res);
    const apiPath = `${API_PREFIX}${path}`;
    let finalHint = hint;
    if (
      finalHint === undefined &&
      ((method === 'GET' && res.status === 404 && detail === 'Not Found') ||
        (method !== 'GET' && res.status === 405))
    ) {
      finalHint = `this Freqtrade is too old for ${apiPath}`;
    }
    return new ApiError({
      service: bot.name,
      status: res.status,
      method,
      path: apiPath,
      detail,
      hint: finalHint,
    });
  }

  /**
   * The ApiError for a 401 to our username and password (at login, or on Basic auth): "wrong
   * username or password", never "unreachable"; Freqtrade's own words go to the hint (logs).
   */
  function credentialsError(method: HttpMethod, path: string, res: RawResponse): ApiError {
    const said = errorDetail(res);
    return new ApiError({
      service: bot.name,
      status: res.status,
      method,
      path: `${API_PREFIX}${path}`,
      detail: wrongCredentials,
      hint: said ? `Freqtrade said: ${said}` : undefined,
    });
  }

  // ------------------------------------------------------------------ auth

  /** 'tokens' until a server shows it cannot issue them; then Basic on every request, for good. */
  let authMode: 'tokens' | 'basic' = 'tokens';
  let tokens: TokenState | undefined;
  /** The one login or refresh in flight; concurrent callers wait on it instead of starting their own. */
  let inflight: Promise<void> | undefined;

  function exclusive(task: () => Promise<void>): Promise<void> {
    if (!inflight) {
      inflight = task().finally(() => {
        inflight = undefined;
      });
    }
    return inflight;
  }

  /**
   * When a token just received expires on our clock: now + its lifetime (`exp - iat`), so a clock
   * that differs from the server's does not make us refresh on every call or too late; `exp`
   * itself when the token has no `iat`.
   */
  function localDeadline(jwt: { expiresAt: number | undefined; lifetimeMs: number | undefined }) {
    return jwt.lifetimeMs === undefined ? jwt.expiresAt : now() + jwt.lifetimeMs;
  }

  function accessExpiresSoon(state: TokenState): boolean {
    if (state.accessExpiresAt === undefined) return false;
    const margin = Math.min(
      TOKEN_REFRESH_MARGIN_MS,
      (state.accessLifetimeMs ?? Number.POSITIVE_INFINITY) / 4,
    );
    return now() >= state.accessExpiresAt - margin;
  }

  async function login(): Promise<void> {
    const res = await send('POST', '/token/login', { authorization: basicHeader });
    if (res.status === 404 || res.status === 405) {
      authMode = 'basic';
      tokens = undefined;
      logger.info('freqtrade issues no tokens; using Basic auth on every request');
      return;
    }
    if (res.status === 401) throw credentialsError('POST', '/token/login', res);
    if (!res.ok) throw apiError('POST', '/token/login', res);
    const parsed = parseWith(accessAndRefreshTokenSchema, res.body, 'POST', '/token/login');
    const access = readJwt(parsed.access_token);
    tokens = {
      access: parsed.access_token,
      accessExpiresAt: localDeadline(access),
      accessLifetimeMs: access.lifetimeMs,
      refresh: parsed.refresh_token,
      refreshExpiresAt: localDeadline(readJwt(parsed.refresh_token)),
    };
    logger.debug('freqtrade login succeeded');
  }

  /** Refreshes the access token; logs in again when there is no usable refresh token or it is refused. */
  async function refreshOrLogin(): Promise<void> {
    const current = tokens;
    if (!current || (current.refreshExpiresAt !== undefined && now() >= current.refreshExpiresAt)) {
      await login();
      return;
    }
    const res = await send('POST', '/token/refresh', { authorization: `Bearer ${current.refresh}` });
    if (res.status === 401 || res.status === 404 || res.status === 405) {
      logger.info({ status: res.status }, 'freqtrade refused the refresh token; logging in again');
      tokens = undefined;
      await login();
      return;
    }
    if (!res.ok) throw apiError('POST', '/token/refresh', res);
    const parsed = parseWith(accessTokenSchema, res.body, 'POST', '/token/refresh');
    const access = readJwt(parsed.access_token);
    tokens = {
      ...current,
      access: parsed.access_token,
      accessExpiresAt: localDeadline(access),
      accessLifetimeMs: access.lifetimeMs,
    };
    logger.debug('freqtrade access token refreshed');
  }

  /** The credentials to send now: a fresh Bearer token (logging in or refreshing first if needed), or Basic. */
  async function credentials(): Promise<Credentials> {
    if (inflight) await inflight;
    else if (authMode === 'tokens' && !tokens) await exclusive(login);
    else if (tokens && accessExpiresSoon(tokens)) await exclusive(refreshOrLogin);
    // After a login or refresh, use what it produced (no second check: a server that hands out
    // tokens already inside the margin must not make us refresh in a loop).
    if (authMode === 'basic' || !tokens) return { kind: 'basic', header: basicHeader };
    return { kind: 'bearer', header: `Bearer ${tokens.access}`, token: tokens.access };
  }

  /** After a 401 on `rejectedToken`: refresh once, unless another call already replaced that token. */
  async function renewAfterRejection(rejectedToken: string): Promise<void> {
    if (inflight) await inflight;
    else if (tokens?.access === rejectedToken) await exclusive(refreshOrLogin);
  }

  // ------------------------------------------------------------------ calls

  /** One call (login and retries included), reported to `onRequest` as one outcome. */
  async function call<T>(spec: CallSpec<T>): Promise<T> {
    try {
      const result = await callOnce(spec);
      deps.onRequest?.(bot.name, 'ok');
      return result;
    } catch (error) {
      const outcome =
        error instanceof ApiError
          ? 'http_error'
          : error instanceof ValidationError
            ? 'invalid'
            : 'network_error';
      deps.onRequest?.(bot.name, outcome, error);
      throw error;
    }
  }

  async function callOnce<T>(spec: CallSpec<T>): Promise<T> {
    const { method, path } = spec;
    let res: RawResponse;
    if (spec.auth === false) {
      res = await send(method, path, { query: spec.query, json: spec.json });
    } else {
      let creds = await credentials();
      res = await send(method, path, { query: spec.query, json: spec.json, authorization: creds.header });
      // The server refused the token before acting, so repeating even a POST once is safe.
      if (res.status === 401 && creds.kind === 'bearer' && errorDetail(res) === TOKEN_REJECTED_DETAIL) {
        logger.info(
          { method, path: `${API_PREFIX}${path}` },
          'freqtrade rejected the access token; renewing',
        );
        await renewAfterRejection(creds.token);
        creds = await credentials();
        res = await send(method, path, { query: spec.query, json: spec.json, authorization: creds.header });
      }
      if (res.status === 401) {
        throw creds.kind === 'basic' ? credentialsError(method, path, res) : apiError(method, path, res);
      }
    }
    if (!res.ok) throw apiError(method, path, res);
    return parseWith(spec.schema, res.body, method, path);
  }

  function parseWith<T>(schema: z.ZodType<T>, body: unknown, method: HttpMethod, path: string): T {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issues =
      body === undefined
        ? ['(root): the body is not JSON']
        : parsed.error.issues.map(
            (issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
          );
    throw new ValidationError(`${bot.name} ${method} ${API_PREFIX}${path} response`, issues);
  }

  const get = <T>(path: string, schema: z.ZodType<T>, query?: Query) =>
    call({ method: 'GET', path, schema, query });
  const post = <T>(path: string, schema: z.ZodType<T>, json?: unknown) =>
    call({ method: 'POST', path, schema, json });
  const del = <T>(path: string, schema: z.ZodType<T>, query?: Query) =>
    call({ method: 'DELETE', path, schema, query });

  return {
    name: bot.name,
    baseUrl: bot.api_url,

    ping: async () => call({ method: 'GET', path: '/ping', schema: pingSchema, auth: false }),
    version: async () => get('/version', versionSchema),
    showConfig: async () => get('/show_config', showConfigSchema),
    logs: async (limit) => get('/logs', logsSchema, { limit: optionalInt(limit, 'log limit', 1) }),
    sysinfo: async () => get('/sysinfo', sysInfoSchema),
    health: async () => get('/health', healthSchema),
    balance: async () => get('/balance', balancesSchema),
    count: async () => get('/count', countSchema),
    entries: async (pair) => get('/entries', entryStatListSchema, { pair }),
    exits: async (pair) => get('/exits', exitStatListSchema, { pair }),
    mixTags: async (pair) => get('/mix_tags', mixTagStatListSchema, { pair }),
    performance: async () => get('/performance', performanceListSchema),
    profit: async () => get('/profit', profitSchema),
    profitAll: async () => get('/profit_all', profitAllSchema),
    stats: async () => get('/stats', statsSchema),
    daily: async (timescale) =>
      get('/daily', timeUnitProfitSchema, { timescale: optionalInt(timescale, 'timescale', 1) }),
    weekly: async (timescale) =>
      get('/weekly', timeUnitProfitSchema, { timescale: optionalInt(timescale, 'timescale', 1) }),
    monthly: async (timescale) =>
      get('/monthly', timeUnitProfitSchema, { timescale: optionalInt(timescale, 'timescale', 1) }),

    status: async () => get('/status', openTradeListSchema),
    trades: async (opts = {}) =>
      get('/trades', tradeListSchema, {
        limit: optionalInt(opts.limit, 'limit', 1),
        offset: optionalInt(opts.offset, 'offset', 0),
        order_by_id: opts.orderById,
      }),
    trade: async (tradeId) => get(`/trade/${tradeIdSegment(tradeId)}`, openTradeSchema),
    deleteTrade: async (tradeId) => del(`/trades/${tradeIdSegment(tradeId)}`, deleteTradeResultSchema),
    cancelOpenOrder: async (tradeId) => del(`/trades/${tradeIdSegment(tradeId)}/open-order`, openTradeSchema),
    reloadTrade: async (tradeId) => post(`/trades/${tradeIdSegment(tradeId)}/reload`, openTradeSchema),
    openTradesCustomData: async (opts = {}) =>
      get('/trades/open/custom-data', customDataListSchema, {
        key: opts.key,
        limit: optionalInt(opts.limit, 'limit', 1),
        offset: optionalInt(opts.offset, 'offset', 0),
      }),
    tradeCustomData: async (tradeId, key) =>
      get(`/trades/${tradeIdSegment(tradeId)}/custom-data`, customDataListSchema, { key }),

    async forceEnter(body) {
      const result = await post('/forceenter', anyJsonSchema, withoutUndefined(body));
      // Freqtrade answers 200 `{status: "Error entering long trade for pair X."}` when no trade was made.
      if (isRecord(result) && !('trade_id' in result) && typeof result['status'] === 'string') {
        throw new ApiError({
          service: bot.name,
          status: 200,
          method: 'POST',
          path: `${API_PREFIX}/forceenter`,
          detail: result['status'],
        });
      }
      return parseWith(tradeSchema, result, 'POST', '/forceenter');
    },
    forceExit: async (body) => {
      if (body.tradeid !== 'all') tradeIdSegment(body.tradeid);
      return post('/forceexit', resultMsgSchema, withoutUndefined(body));
    },

    blacklist: async () => get('/blacklist', blacklistSchema),
    addBlacklist: async (pairs) => post('/blacklist', blacklistSchema, { blacklist: pairs }),
    deleteBlacklist: async (pairs) => del('/blacklist', blacklistSchema, { pairs_to_delete: pairs }),
    whitelist: async () => get('/whitelist', whitelistSchema),
    locks: async () => get('/locks', locksSchema),
    addLocks: async (locks) =>
      post(
        '/locks',
        locksSchema,
        locks.map((lock) => withoutUndefined({ ...lock, until: toUtcIso(lock.until) })),
      ),
    deleteLock: async (lockId) => del(`/locks/${idSegment(lockId, 'lock id')}`, locksSchema),
    deleteLocksBy: async (by) => {
      if (by.pair === undefined && by.lockid === undefined) {
        throw new UserInputError('Give a pair or a lock id to delete locks by.');
      }
      return post('/locks/delete', locksSchema, withoutUndefined(by));
    },

    start: async () => post('/start', statusMsgSchema),
    stop: async () => post('/stop', statusMsgSchema),
    pause: async () => post('/pause', statusMsgSchema),
    reloadConfig: async () => post('/reload_config', statusMsgSchema),

    pairCandles: async (q) =>
      get('/pair_candles', pairHistorySchema, {
        pair: q.pair,
        timeframe: q.timeframe,
        limit: optionalInt(q.limit, 'limit', 1),
      }),
    pairCandlesColumns: async (body) =>
      post(
        '/pair_candles',
        pairHistorySchema,
        withoutUndefined({
          pair: body.pair,
          timeframe: body.timeframe,
          limit: optionalInt(body.limit, 'limit', 1),
          columns: body.columns,
        }),
      ),
    pairHistory: async (q) =>
      get('/pair_history', pairHistorySchema, {
        pair: q.pair,
        timeframe: q.timeframe,
        timerange: q.timerange,
        strategy: q.strategy,
      }),
    plotConfig: async () => get('/plot_config', anyJsonSchema),
    strategies: async () => get('/strategies', strategyListSchema),
    strategy: async (name) => get(`/strategy/${encodeURIComponent(name)}`, strategyInfoSchema),
    availablePairs: async (q = {}) =>
      get('/available_pairs', availablePairsSchema, {
        timeframe: q.timeframe,
        stake_currency: q.stake_currency,
      }),
    markets: async (q = {}) => get('/markets', anyJsonSchema, { base: q.base, quote: q.quote }),

    async websocketUrl() {
      const wsRoot = `${bot.api_url.replace(/^http/i, 'ws')}${API_PREFIX}/message/ws`;
      if (bot.ws_token) return `${wsRoot}?token=${encodeURIComponent(bot.ws_token)}`;
      const creds = await credentials();
      if (creds.kind === 'bearer') return `${wsRoot}?token=${encodeURIComponent(creds.token)}`;
      throw new ConfigError(
        `Bot "${bot.name}" has no ws_token and its Freqtrade issues no access tokens: set ${
          deps.configIndex === undefined ? 'ws_token' : `bots[${deps.configIndex}].ws_token`
        } to one of api_server.ws_token.`,
      );
    },
  };
}

// -------------------------------------------------------------------- helpers (pure)

/** Query parameters without undefined values; arrays become repeated keys (`pairs_to_delete=a&pairs_to_delete=b`). */
function toSearchParams(query: Query | undefined): URLSearchParams | undefined {
  if (!query) return undefined;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else params.append(key, String(value));
  }
  return params.size > 0 ? params : undefined;
}

/** A copy of `value` without keys whose value is undefined (JSON would drop them anyway; this keeps bodies explicit). */
function withoutUndefined(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** Parsed JSON of a body, or undefined when it is empty or not JSON. */
function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Freqtrade's explanation of a failure: `{"detail": "..."}`, `{"detail": [{loc, msg}]}` (422,
 * joined as "loc.path: msg; ..."), or `{"error": "Error querying /api/v1/x: msg"}` (502, prefix
 * stripped); a detail or error of any other JSON shape is rendered by `readableErrorValue`. Falls
 * back to a short excerpt of a non-JSON body; undefined when there is nothing.
 */
export function errorDetail(res: { body: unknown; text: string }): string | undefined {
  const { body } = res;
  if (isRecord(body)) {
    const { detail, error } = body;
    const fromDetail = readableErrorValue(detail);
    if (fromDetail !== undefined) return fromDetail;
    if (typeof error === 'string')
      return cut(error.replace(/^Error querying \S*: /, ''), ERROR_TEXT_MAX_CHARS);
    return readableErrorValue(error);
  }
  const text = res.text.trim();
  if (text === '' || body !== undefined) return undefined;
  return cut(text, 200);
}

/** The longest error text taken from a Freqtrade body, in characters. */
const ERROR_TEXT_MAX_CHARS = 300;
/** Keys whose value says what went wrong, in the order they are preferred. */
const MESSAGE_KEYS = ['error_msg', 'msg', 'message', 'detail', 'error', 'reason'] as const;

/**
 * An error value of any JSON shape as one readable line, never `[object Object]`: a string as
 * is; a FastAPI 422 item `{loc, msg}` as "loc.path: msg"; a list joined with "; "; an object by
 * its message key (`error_msg`, `msg`, `message`, `detail`, `error`, `reason`), else as
 * "key: value" pairs. Cut to 300 characters; undefined when there is nothing to say.
 */
export function readableErrorValue(value: unknown): string | undefined {
  const text = readable(value, 0);
  return text === undefined ? undefined : cut(text, ERROR_TEXT_MAX_CHARS);
}

function readable(value: unknown, depth: number): string | undefined {
  if (value === null || value === undefined || depth > 4) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map((item) => readable(item, depth + 1)).filter((part) => part !== undefined);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  if (!isRecord(value)) return undefined;
  if (typeof value['msg'] === 'string' && Array.isArray(value['loc'])) {
    const loc = value['loc'].map(String).join('.');
    return loc ? `${loc}: ${value['msg']}` : value['msg'];
  }
  for (const key of MESSAGE_KEYS) {
    const message = readable(value[key], depth + 1);
    if (message !== undefined) return message;
  }
  const pairs = Object.entries(value)
    .map(([key, item]) => {
      const text = readable(item, depth + 1);
      return text === undefined ? undefined : `${key}: ${text}`;
    })
    .filter((part) => part !== undefined);
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

/** `text` cut to `maxChars` characters, ending in "…" when cut. */
function cut(text: string, maxChars: number): string {
  const characters = [...text];
  return characters.length <= maxChars ? text : `${characters.slice(0, maxChars - 1).join('')}…`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `exp` (as epoch ms) and lifetime of a JWT, read without verifying it; undefined parts when unreadable. */
export function readJwt(token: string): { expiresAt: number | undefined; lifetimeMs: number | undefined } {
  const payload = token.split('.')[1];
  if (!payload) return { expiresAt: undefined, lifetimeMs: undefined };
  try {
    const parsed = jwtPayloadSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success || parsed.data.exp === undefined)
      return { expiresAt: undefined, lifetimeMs: undefined };
    const { exp, iat } = parsed.data;
    return { expiresAt: exp * 1000, lifetimeMs: iat === undefined ? undefined : (exp - iat) * 1000 };
  } catch {
    return { expiresAt: undefined, lifetimeMs: undefined };
  }
}

/** The URL without query string, fragment or credentials, for error messages. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return url.replace(/[?#].*$/, '');
  }
}

/** A non-negative integer id as a path segment; anything else is the user's mistake. */
function idSegment(id: number, what: string): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new UserInputError(`Invalid ${what}: ${String(id)}`);
  return String(id);
}

function tradeIdSegment(tradeId: number): string {
  return idSegment(tradeId, 'trade id');
}

/** undefined stays undefined; otherwise the value must be an integer ≥ min. */
function optionalInt(value: number | undefined, what: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UserInputError(`Invalid ${what}: ${String(value)} (expected a whole number ≥ ${min})`);
  }
  return value;
}

/**
 * ISO 8601 in UTC with `Z` (Freqtrade's `until` must carry a zone; a naive value is a 422).
 * A string without a zone ("2026-11-23 10:00") is read as UTC, not as local time.
 */
export function toUtcIso(until: Date | string): string {
  let date = until instanceof Date ? until : undefined;
  if (typeof until === 'string') {
    const text = until.trim().replace(' ', 'T');
    const hasZone = /(?:z|[+-]\d{2}:?\d{2})$/i.test(text);
    // Date-only strings are UTC in JS already; date-times without a zone would be local time.
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
    date = new Date(hasZone || dateOnly ? text : `${text}Z`);
  }
  if (!date || Number.isNaN(date.getTime()))
    throw new UserInputError(`Invalid lock end time: "${String(until)}"`);
  return date.toISOString();
}
