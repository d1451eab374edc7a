/**
 * A fake Freqtrade 2026.3 (API 2.47) server for tests and demos: the REST API under `/api/v1`
 * and the message websocket, on 127.0.0.1, backed by a mutable in-memory state and a fake clock.
 *
 * Faithful where clients can tell: auth rules and 401 bodies, routing (404 for unknown GETs, 405
 * with `Allow` otherwise), 422 pydantic-style validation, 502 `{"error": ...}` RPC refusals, 503
 * for the wrong runmode, every response-model field present. See
 * /work/shared/freqtrade-api-reference.md.
 *
 * Websocket messages the fake emits by itself (everything else is up to the test, via `emit`):
 * - POST /forceenter (/forcebuy): `entry`, then `entry_fill`.
 * - POST /forceexit (/forcesell): `exit`, then `exit_fill`, per exited trade.
 * - POST /start, /stop, /pause (/stopentry, /stopbuy) when the state changes: `status` with the
 *   new state ("running" | "stopped" | "paused"); /stop with open trades also sends `warning`.
 * - POST /reload_config: `status` "running after config reloaded".
 * - DELETE /trades/{id}/open-order on an open order: `entry_cancel` or `exit_cancel`.
 * Locks, blacklist changes, trade deletion and the helpers (`addTrade`, `closeTrade`,
 * `addOpenOrder`, `setCurrentRate`, ...) emit nothing.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { parseAuthorization, safeEqual } from './auth.js';
import { dataframeSplitJson } from './candles.js';
import { createDemoState } from './demo-seed.js';
import { createToken, verifyToken } from './jwt.js';
import { createMessageHub } from './message-hub.js';
import { jsonInvalidError } from './pydantic-errors.js';
import { analyzedCandles, controlRoutes } from './routes-control.js';
import { infoRoutes } from './routes-info.js';
import { tradeRoutes } from './routes-trades.js';
import {
  DetailError,
  type RawInput,
  type Route,
  type RouteContext,
  RpcError,
  matchPath,
  splitPath,
} from './routing.js';
import { appendLog, createEmptyState, type FakeState } from './state.js';
import { formatIsoOffset } from './time-format.js';
import { defaultStake, exitTrade, observeRate, openTrade } from './trade-lifecycle.js';
import { currentRateOf, freeStake } from './trade-math.js';
import type { RpcMessage } from './ws-messages.js';

export type {
  FakeBotState,
  FakeCustomData,
  FakeLock,
  FakeLogLine,
  FakeOrder,
  FakeRunmode,
  FakeState,
  FakeTrade,
} from './state.js';

export interface FakeFreqtradeOptions {
  /** Default `'freqtrader'`. */
  username?: string;
  /** Default `'secret-pass'`. */
  password?: string;
  /** Default `'ws-secret-token'`. */
  wsToken?: string;
  /** Default: random per server, so a restart without it invalidates every token. */
  jwtSecret?: string;
  /** Default true; false = `/token/login` and `/token/refresh` answer 404 (Basic auth still works). */
  issueTokens?: boolean;
  /** Access token lifetime, default 900 s (refresh tokens live 30 days). */
  accessTokenTtlS?: number;
  /** Default 0 (random); pass a freed port to restart on it. */
  port?: number;
  /** Default `'freqtrade'`. */
  botName?: string;
  /** Default `'USDT'`. */
  stakeCurrency?: string;
  /** `'empty'` (default): no trades; `'demo'`: open and closed trades, locks, custom data, daily history. */
  seed?: 'empty' | 'demo';
}

export interface RecordedRequest {
  method: string;
  /** Path without the `/api/v1` prefix, e.g. `'/forceexit'`, `'/trade/3'`. */
  path: string;
  query: Record<string, string | string[]>;
  /** Parsed JSON body, or undefined (no body, or not JSON). */
  body: unknown;
  /** The scheme of the `Authorization` header sent, valid or not. */
  auth: 'basic' | 'bearer' | 'none';
  /** Fake clock, ms. */
  at: number;
}

export interface FakeFreqtrade {
  /** `'http://127.0.0.1:PORT'` (no `/api/v1`). */
  readonly url: string;
  readonly port: number;
  /** Every REST request, in order, including refused ones. */
  readonly requests: RecordedRequest[];
  /** Successful logins and refreshes, accepted websocket connections, refused websocket upgrades. */
  readonly counts: { logins: number; refreshes: number; wsConnections: number; wsRejections: number };
  state: FakeState;
  /** Fake clock, ms since epoch: real time plus every `advanceTime`. */
  now(): number;
  advanceTime(ms: number): void;
  /**
   * Adds a filled open trade and returns its id; no websocket message. Defaults: long, open rate =
   * the pair's current rate, stake = the configured stake (100 USDT), opened now.
   */
  addTrade(input: {
    pair: string;
    isShort?: boolean;
    openRate?: number;
    amount?: number;
    stakeAmount?: number;
    currentRate?: number;
    enterTag?: string;
    openedMinutesAgo?: number;
  }): number;
  /**
   * Closes an open trade at `closeRate` with `exitReason` (default `'exit_signal'`), no websocket
   * message; throws for an unknown or closed trade.
   */
  closeTrade(tradeId: number, input: { closeRate: number; exitReason?: string }): void;
  setCurrentRate(pair: string, rate: number): void;
  /**
   * Makes pricing of `pair` fail (`true`) or work again: its open trades then show
   * `current_rate: null` and null profits, as Freqtrade does when the exchange gives no rate.
   */
  setPricingFailure(pair: string, failing: boolean): void;
  /**
   * Adds an unfilled limit order to an open trade and returns its order id: an exit order
   * (default) for `amount` (default: the whole position), or an entry order adding to it, at
   * `rate` (default: the current rate). No websocket message.
   */
  addOpenOrder(tradeId: number, input?: { side?: 'entry' | 'exit'; amount?: number; rate?: number }): string;
  /** Dry run (`true`, the default) or live: `show_config.dry_run`, `runmode` and the balance note follow. */
  setDryRun(dryRun: boolean): void;
  /** Sets the stake currency `/balance` reports free, by moving the wallet's starting capital. */
  setFreeStake(amount: number): void;
  /** Sends `message` to every websocket consumer subscribed to its type. */
  emit(message: Record<string, unknown> & { type: string }): void;
  wsConsumers(): Array<{ subscribed: string[] }>;
  /** Stops HTTP and websocket service and terminates every socket; the port is freed. */
  close(): Promise<void>;
}

/**
 * Extension points for code that wraps the simulator (test/fakes/ injects failures, raw frames
 * and dropped connections through them); the simulator itself and the demo use none.
 */
export interface FakeFreqtradeSeams {
  /**
   * Asked about every REST request after it is recorded, before auth and routing (`path` without
   * `/api/v1`, `fullPath` with it): an answer is sent instead of what the route would answer.
   */
  interceptRequest?(request: {
    method: string;
    path: string;
    fullPath: string;
  }): { status: number; body: unknown } | undefined;
  /** Told about every accepted websocket connection (after the hub took it). */
  onWebsocket?(socket: WebSocket): void;
}

const DEFAULT_OPTIONS = {
  username: 'freqtrader',
  password: 'secret-pass',
  wsToken: 'ws-secret-token',
  issueTokens: true,
  accessTokenTtlS: 900,
  port: 0,
  botName: 'freqtrade',
  stakeCurrency: 'USDT',
  seed: 'empty',
} satisfies Required<Omit<FakeFreqtradeOptions, 'jwtSecret'>>;

/** Freqtrade's refresh tokens live 30 days (`api_auth.py`). */
const REFRESH_TOKEN_TTL_S = 30 * 86_400;
const API_PREFIX = '/api/v1';
const WS_PATH = `${API_PREFIX}/message/ws`;
/** Bodies beyond this are cut off: no real client sends that much to Freqtrade. */
const MAX_BODY_BYTES = 1_048_576;

const ROUTES: readonly Route[] = [...infoRoutes, ...tradeRoutes, ...controlRoutes];

function resolveOptions(options: FakeFreqtradeOptions): Required<FakeFreqtradeOptions> {
  // `??` rather than spreading: an option passed as `undefined` keeps its default.
  const resolved: Required<FakeFreqtradeOptions> = {
    username: options.username ?? DEFAULT_OPTIONS.username,
    password: options.password ?? DEFAULT_OPTIONS.password,
    wsToken: options.wsToken ?? DEFAULT_OPTIONS.wsToken,
    jwtSecret: options.jwtSecret ?? randomBytes(32).toString('hex'),
    issueTokens: options.issueTokens ?? DEFAULT_OPTIONS.issueTokens,
    accessTokenTtlS: options.accessTokenTtlS ?? DEFAULT_OPTIONS.accessTokenTtlS,
    port: options.port ?? DEFAULT_OPTIONS.port,
    botName: options.botName ?? DEFAULT_OPTIONS.botName,
    stakeCurrency: options.stakeCurrency ?? DEFAULT_OPTIONS.stakeCurrency,
    seed: options.seed ?? DEFAULT_OPTIONS.seed,
  };
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65_535) {
    throw new RangeError(
      `startFakeFreqtrade: port must be an integer 0-65535 (0 = random), got ${resolved.port}`,
    );
  }
  if (!(resolved.accessTokenTtlS > 0)) {
    throw new RangeError(
      `startFakeFreqtrade: accessTokenTtlS must be > 0 seconds, got ${resolved.accessTokenTtlS}`,
    );
  }
  if (!/^[A-Z0-9]+$/.test(resolved.stakeCurrency)) {
    throw new RangeError(
      `startFakeFreqtrade: stakeCurrency must be a coin code like 'USDT', got '${resolved.stakeCurrency}'`,
    );
  }
  return resolved;
}

function parseQuery(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return query;
}

/** The query as FastAPI reads it for `route`: list parameters get every value, others the last. */
function routeQuery(route: Route, params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    query[key] = route.listQueryKeys.includes(key) ? values : (values.at(-1) ?? '');
  }
  return query;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

type ParsedBody =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid'; position: number; reason: string };

function parseBody(text: string): ParsedBody {
  if (text.trim() === '') return { kind: 'none' };
  try {
    return { kind: 'json', value: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
    return { kind: 'invalid', position, reason: 'Expecting value' };
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : (JSON.stringify(body) ?? '');
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    server: 'uvicorn',
    ...headers,
  });
  res.end(text);
}

function rejectUpgrade(socket: Duplex): void {
  socket.on('error', () => {});
  socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
}

/** Starts a fake Freqtrade on 127.0.0.1 and resolves once it listens. */
export async function startFakeFreqtrade(
  options: FakeFreqtradeOptions = {},
  seams: FakeFreqtradeSeams = {},
): Promise<FakeFreqtrade> {
  const opts = resolveOptions(options);
  let offsetMs = 0;
  const now = (): number => Date.now() + offsetMs;
  const seedArgs = { botName: opts.botName, stakeCurrency: opts.stakeCurrency, nowMs: now() };
  const requests: RecordedRequest[] = [];
  const counts = { logins: 0, refreshes: 0, wsConnections: 0, wsRejections: 0 };
  let closed = false;

  // A test may replace `fake.state` wholesale: everything below reads the state through `holder`.
  const holder: { state: FakeState } = {
    state: opts.seed === 'demo' ? createDemoState(seedArgs) : createEmptyState(seedArgs),
  };

  const issue = (username: string, type: 'access' | 'refresh'): string =>
    createToken({
      username,
      type,
      ttlS: type === 'access' ? opts.accessTokenTtlS : REFRESH_TOKEN_TTL_S,
      nowMs: now(),
      secret: opts.jwtSecret,
    });
  const validAccessToken = (token: string): boolean =>
    verifyToken(token, { secret: opts.jwtSecret, nowMs: now(), expectedType: 'access' }) !== undefined;

  const hub = createMessageHub({
    whitelist: () => [...holder.state.whitelist],
    analyzedDf: (pair, limit) => {
      const state = holder.state;
      const candleType = state.tradingMode === 'spot' ? 'spot' : 'futures';
      return (pair === undefined ? state.whitelist : [pair]).map(
        (p): RpcMessage => ({
          type: 'analyzed_df',
          data: {
            key: [p, state.timeframe, candleType],
            df: {
              __type__: 'dataframe',
              __value__: dataframeSplitJson(analyzedCandles(state, p, state.timeframe, now(), limit).candles),
            },
            la: formatIsoOffset(now() - 1000),
          },
        }),
      );
    },
  });

  const tokens: RouteContext['tokens'] = {
    login(username, password) {
      if (!safeEqual(username, opts.username) || !safeEqual(password, opts.password)) return undefined;
      counts.logins += 1;
      return { access_token: issue(username, 'access'), refresh_token: issue(username, 'refresh') };
    },
    refresh(refreshToken) {
      if (refreshToken === undefined) return undefined;
      const claims = verifyToken(refreshToken, {
        secret: opts.jwtSecret,
        nowMs: now(),
        expectedType: 'refresh',
      });
      if (!claims) return undefined;
      counts.refreshes += 1;
      return { access_token: issue(claims.identity.u, 'access') };
    },
  };

  /** `http_basic_or_jwt_token`: undefined when allowed, else the 401 to answer. */
  function authFailure(header: string | undefined): DetailError | undefined {
    const auth = parseAuthorization(header);
    if (auth.scheme === 'bearer') {
      return validAccessToken(auth.token)
        ? undefined
        : new DetailError(401, 'Could not validate credentials', { 'WWW-Authenticate': 'Bearer' });
    }
    if (auth.scheme === 'basic-invalid') {
      return new DetailError(401, 'Invalid authentication credentials', { 'WWW-Authenticate': 'Basic' });
    }
    if (
      auth.scheme === 'basic' &&
      safeEqual(auth.username, opts.username) &&
      safeEqual(auth.password, opts.password)
    ) {
      return undefined;
    }
    return new DetailError(401, 'Unauthorized');
  }

  function runRoute(
    route: Route,
    raw: RawInput,
    ctx: RouteContext,
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    try {
      const result = route.run(raw, ctx);
      if (Array.isArray(result)) return { status: 422, body: { detail: result } };
      return {
        status: result.status ?? 200,
        body: result.body,
        ...(result.headers ? { headers: result.headers } : {}),
      };
    } catch (error) {
      if (error instanceof RpcError)
        return { status: 502, body: { error: `Error querying ${ctx.fullPath}: ${error.message}` } };
      if (error instanceof DetailError)
        return { status: error.status, body: { detail: error.detail }, headers: error.headers };
      throw error;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const text = await readBody(req);
    const inApi = url.pathname.startsWith(`${API_PREFIX}/`);
    const path = inApi ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    const authorization = req.headers.authorization;
    const parsed = parseBody(text);
    const presented = parseAuthorization(authorization).scheme;
    requests.push({
      method,
      path,
      query: parseQuery(url.searchParams),
      body: parsed.kind === 'json' ? parsed.value : undefined,
      auth: presented === 'bearer' ? 'bearer' : presented === 'none' ? 'none' : 'basic',
      at: now(),
    });

    const intercepted = seams.interceptRequest?.({ method, path, fullPath: url.pathname });
    if (intercepted) {
      sendJson(res, intercepted.status, intercepted.body);
      return;
    }
    if (!opts.issueTokens && (path === '/token/login' || path === '/token/refresh')) {
      sendJson(res, 404, { detail: 'Not Found' });
      return;
    }

    // Routing first: the UI's catch-all `GET /{path}` answers 404 to any unknown GET, so other
    // methods on unknown paths (and GET-less known paths) get 405.
    const segments = splitPath(path);
    const candidates = inApi ? ROUTES.filter((r) => matchPath(r, segments)) : [];
    const route = candidates.find((r) => r.methods.some((m) => m === method));
    if (!route) {
      if (method === 'GET') sendJson(res, 404, { detail: 'Not Found' });
      else
        sendJson(
          res,
          405,
          { detail: 'Method Not Allowed' },
          { allow: (candidates[0]?.methods ?? ['GET']).join(', ') },
        );
      return;
    }
    // FastAPI decodes a JSON body before it runs the auth dependency.
    if (route.takesBody && parsed.kind === 'invalid') {
      sendJson(res, 422, { detail: [jsonInvalidError(parsed.position, parsed.reason)] });
      return;
    }
    const state = holder.state;
    if (route.group === 'info' || route.group === 'trading' || route.group === 'webserver') {
      const denied = authFailure(authorization);
      if (denied) {
        sendJson(res, denied.status, { detail: denied.detail }, denied.headers);
        return;
      }
      const webserver = state.runmode === 'webserver';
      if ((route.group === 'trading' && webserver) || (route.group === 'webserver' && !webserver)) {
        sendJson(res, 503, { detail: 'Bot is not in the correct state.' });
        return;
      }
    }
    const params = matchPath(route, segments) ?? {};
    const raw: RawInput = {
      path: params,
      query: routeQuery(route, url.searchParams),
      ...(parsed.kind === 'json' && parsed.value !== null ? { body: parsed.value } : {}),
    };
    const ctx: RouteContext = {
      state,
      now,
      fullPath: url.pathname,
      authorization,
      emit: (message) => hub.emit(message),
      log: (logger, level, message) => appendLog(state, now(), logger, level, message),
      tokens,
    };
    const answer = runRoute(route, raw, ctx);
    sendJson(res, answer.status, answer.body, answer.headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { detail: `fake freqtrade: ${String(error)}` });
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const token = url.searchParams.get('token') ?? '';
    const allowed =
      url.pathname === WS_PATH && token !== '' && (safeEqual(token, opts.wsToken) || validAccessToken(token));
    if (!allowed || closed) {
      counts.wsRejections += 1;
      rejectUpgrade(socket);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      counts.wsConnections += 1;
      hub.accept(ws);
      seams.onWebsocket?.(ws);
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ port: opts.port, host: '127.0.0.1' }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('fake freqtrade: no TCP address after listen');
  const port = address.port;

  const fake: FakeFreqtrade = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    counts,
    get state() {
      return holder.state;
    },
    set state(next: FakeState) {
      holder.state = next;
    },
    now,
    advanceTime(ms) {
      if (!(ms >= 0)) throw new RangeError(`advanceTime: ms must be >= 0, got ${ms}`);
      offsetMs += ms;
    },
    addTrade(input) {
      const state = holder.state;
      if (input.currentRate !== undefined) fake.setCurrentRate(input.pair, input.currentRate);
      const trade = openTrade(
        state,
        {
          pair: input.pair,
          isShort: input.isShort,
          openRate: input.openRate,
          amount: input.amount,
          stakeAmount: input.stakeAmount,
          enterTag: input.enterTag ?? null,
          openedAtMs: now() - (input.openedMinutesAgo ?? 0) * 60_000,
        },
        defaultStake(state, freeStake(state)),
      );
      if (input.currentRate !== undefined) observeRate(trade, input.currentRate);
      return trade.id;
    },
    closeTrade(tradeId, input) {
      const trade = holder.state.trades.find((t) => t.id === tradeId);
      if (!trade?.isOpen) throw new Error(`closeTrade: trade ${tradeId} is not an open trade of this fake`);
      exitTrade(trade, {
        rate: input.closeRate,
        exitReason: input.exitReason ?? 'exit_signal',
        orderType: 'limit',
        atMs: now(),
      });
    },
    setCurrentRate(pair, rate) {
      holder.state.currentRates[pair] = rate;
      for (const trade of holder.state.trades)
        if (trade.isOpen && trade.pair === pair) observeRate(trade, rate);
    },
    setPricingFailure(pair, failing) {
      const pairs = holder.state.unpricedPairs.filter((p) => p !== pair);
      holder.state.unpricedPairs = failing ? [...pairs, pair] : pairs;
    },
    addOpenOrder(tradeId, input = {}) {
      const state = holder.state;
      const trade = state.trades.find((t) => t.id === tradeId);
      if (!trade?.isOpen) throw new Error(`addOpenOrder: trade ${tradeId} is not an open trade of this fake`);
      const isEntry = input.side === 'entry';
      // An entry of a long buys, its exit sells; a short the other way round.
      const side = isEntry !== trade.isShort ? 'buy' : 'sell';
      const atMs = now();
      const orderId = `dry_run_${side}_${trade.pair}_${(atMs / 1000).toFixed(6)}`;
      trade.orders.push({
        orderId,
        side,
        isEntry,
        orderType: 'limit',
        status: 'open',
        amount: input.amount ?? trade.amount,
        filled: 0,
        price: input.rate ?? currentRateOf(state, trade.pair),
        createdAtMs: atMs,
        filledAtMs: null,
        tag: isEntry ? 'force_entry' : null,
      });
      return orderId;
    },
    setDryRun(dryRun) {
      holder.state.dryRun = dryRun;
      if (holder.state.runmode !== 'webserver') holder.state.runmode = dryRun ? 'dry_run' : 'live';
    },
    setFreeStake(amount) {
      if (!(amount >= 0)) throw new RangeError(`setFreeStake: amount must be >= 0, got ${amount}`);
      holder.state.startingCapital += amount - freeStake(holder.state);
    },
    emit: (message) => hub.emit(message),
    wsConsumers: () => hub.consumers(),
    async close() {
      if (closed) return;
      closed = true;
      hub.terminateAll();
      await new Promise<void>((resolve) => {
        wss.close(() => resolve());
      });
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return fake;
}
