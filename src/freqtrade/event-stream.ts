/**
 * One bot's Freqtrade message websocket (`/api/v1/message/ws`), kept open for as long as the app
 * runs: connect, subscribe, parse every frame with zod, reconnect with backoff, detect dead
 * connections with ws pings. It only reports what happens (typed events: `state`, `connected`,
 * `disconnected`, `event`); what to do about it (the back-fill, notifications) is up to the
 * listeners, e.g. notify/backfill-runner.ts.
 * Contract: shared/freqtrade-api.md ("Message websocket") and freqtrade-api-reference.md §3.
 *
 * Lifecycle (StreamState): idle → connecting → open → closed → connecting → …; a refused
 * token (HTTP 403 at the upgrade) → unauthorized, retried rarely; stop() → closed for good.
 *
 * Reconnects: a healthy connection (subscribed, open for at least HEALTHY_CONNECTION_MS) that
 * drops is reconnected at once and the backoff starts over; only attempts that fail to connect
 * (or connections dropped right after subscribing, a flapping server) back off, exponentially.
 */
import WebSocket from 'ws';
import { ApiError, ConfigError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createTypedEmitter, type TypedEvents } from '../typed-events.js';
import type { FreqtradeClient } from './client.js';
import {
  type BotEvent,
  FREQTRADE_MESSAGE_TYPES,
  type FreqtradeMessageType,
  parseFrame,
} from './event-schemas.js';
import type { StreamState } from './stream-state.js';

export interface EventStreamDeps {
  /** For websocketUrl() and, when a type needs it, the server's API version. */
  client: Pick<FreqtradeClient, 'name' | 'websocketUrl' | 'showConfig'>;
  logger: Logger;
  /** Message types to subscribe to (the caller passes the routable ones). */
  types: string[];
  /**
   * Delays between failed connection attempts: exponential with jitter, capped at maxMs. A healthy
   * connection that drops is reconnected at once. Default `{initialMs: 500, maxMs: 30_000}`.
   */
  backoff?: { initialMs: number; maxMs: number };
  /** A ws ping every this often; a pong missing for one interval → terminate and reconnect. Default 20 000. */
  pingIntervalMs?: number;
  /** After a 403 (wrong ws_token), retry only this often, reporting the error once. Default 300 000. */
  unauthorizedRetryMs?: number;
}

/** The stream's typed events: the back-fill, metrics and tests subscribe instead of reaching in. */
export interface EventStreamEvents {
  /** The state changed (never emitted twice in a row with the same state). */
  state: StreamState;
  /**
   * A connection is open and its subscription was sent: `types` are the types subscribed to
   * (the requested ones this server knows). Emitted on the first connect and on every reconnect.
   */
  connected: { types: readonly FreqtradeMessageType[] };
  /** A connection that had emitted `connected` ended (dropped, or stop()). */
  disconnected: { code: number | undefined };
  /** A zod-validated message of a subscribed type, tagged with the bot, in the order received. */
  event: BotEvent;
}

export interface EventStream extends TypedEvents<EventStreamEvents> {
  readonly bot: string;
  state(): StreamState;
  /** Connects in the background; never throws. Freqtrade being down at start is fine. */
  start(): void;
  /** Closes the socket and clears every timer; no reconnect after. */
  stop(): Promise<void>;
}

const DEFAULTS = {
  backoff: { initialMs: 500, maxMs: 30_000 },
  pingIntervalMs: 20_000,
  unauthorizedRetryMs: 300_000,
} satisfies Required<Pick<EventStreamDeps, 'backoff' | 'pingIntervalMs' | 'unauthorizedRetryMs'>>;

/** A server that accepts TCP but never answers the upgrade must not stall the reconnect loop. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * A subscribed connection that lasted this long was healthy: when it drops, the stream reconnects
 * at once and the backoff starts over. One that drops sooner counts as a failed attempt, so a
 * server that accepts and then drops every connection is not hammered in a loop.
 */
const HEALTHY_CONNECTION_MS = 1_000;
/** At most one warning per this interval about skipped frames (a broken server must not flood the log). */
const FRAME_WARNING_INTERVAL_MS = 60_000;
/** How long stop() waits for the closing handshake before cutting the connection. */
const CLOSE_TIMEOUT_MS = 1_000;

/**
 * Types a server older than API 2.40 (Freqtrade 2024.10, the oldest we know) may lack. Freqtrade
 * ignores a whole subscription if one type is unknown to it, so these are dropped for such servers.
 */
const TYPES_NEWER_THAN_API_2_40: ReadonlySet<string> = new Set(['new_candle', 'exception']);
const OLDEST_KNOWN_API_VERSION = 2.4;

const KNOWN_TYPES: ReadonlySet<string> = new Set(FREQTRADE_MESSAGE_TYPES);

/** Creates the stream of one bot; nothing happens until start(). */
export function createEventStream(deps: EventStreamDeps): EventStream {
  const bot = deps.client.name;
  const log = deps.logger.child({ bot });
  const backoff = { ...DEFAULTS.backoff, ...deps.backoff };
  const pingIntervalMs = deps.pingIntervalMs ?? DEFAULTS.pingIntervalMs;
  const unauthorizedRetryMs = deps.unauthorizedRetryMs ?? DEFAULTS.unauthorizedRetryMs;
  const requested = knownTypes(deps.types);

  let state: StreamState = 'idle';
  let started = false;
  let stopped = false;
  /** Bumped for every connection attempt and by stop(): events of an older attempt are ignored. */
  let attemptSeq = 0;
  /** Failed attempts in a row, for the backoff; back to 0 when a healthy connection drops. */
  let failures = 0;
  /** When the current connection's subscription was sent (undefined until then). */
  let subscribedAtMs: number | undefined;
  /** A connection was open before: the next one is a reconnect. */
  let connectedBefore = false;
  let socket: WebSocket | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let unauthorizedReported = false;
  /** Types sent in the current subscription. */
  let subscribed: ReadonlySet<string> = new Set();
  /** The current connection emitted `connected`: its end emits `disconnected`. */
  let announcedConnected = false;

  const frameWarnings = createThrottle(FRAME_WARNING_INTERVAL_MS);
  const events = createTypedEmitter<EventStreamEvents>((name, error) => {
    const reason = describeError(error);
    if (name === 'event') log.error({ reason }, 'event listener threw; event dropped for it');
    else log.error({ event: name, reason }, 'event stream listener threw');
  });

  function setState(next: StreamState): void {
    if (state === next) return;
    state = next;
    events.emit('state', next);
  }

  /** The connection that announced itself ended: say so once. */
  function endConnection(code: number | undefined): void {
    if (!announcedConnected) return;
    announcedConnected = false;
    events.emit('disconnected', { code });
  }

  function clearTimers(): void {
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    retryTimer = pingTimer = undefined;
  }

  // ------------------------------------------------------------------ connecting

  function scheduleReconnect(delayMs: number): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, delayMs);
  }

  /** Exponential with "equal jitter": between half and all of min(max, initial × 2^failures). */
  function nextBackoffMs(): number {
    const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures, 30));
    failures += 1;
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    const seq = ++attemptSeq;
    subscribedAtMs = undefined;
    setState('connecting');

    let url: string;
    try {
      url = await deps.client.websocketUrl();
    } catch (error) {
      if (stopped || seq !== attemptSeq) return;
      if (error instanceof ConfigError || (error instanceof ApiError && error.status === 401)) {
        unauthorized(`${describeError(error)}. Check the credentials and ws_token of bot "${bot}".`);
      } else {
        failed(`could not build the websocket URL: ${describeError(error)}`);
      }
      return;
    }
    if (stopped || seq !== attemptSeq) return;

    const where = describeUrl(url);
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    } catch {
      // The error text would carry the URL, and with it the ws_token: say where, not what.
      failed('invalid websocket URL', where);
      return;
    }
    socket = ws;
    let opened = false;
    let refusedStatus: number | undefined;
    let lastError: Error | undefined;
    let awaitingPong = false;

    ws.on('unexpected-response', (_request, response) => {
      refusedStatus = response.statusCode;
      response.resume();
      ws.terminate();
    });
    ws.on('error', (error) => {
      lastError = error;
    });
    ws.on('pong', () => {
      awaitingPong = false;
    });
    ws.on('message', (data, isBinary) => {
      if (seq === attemptSeq && !stopped) onFrame(data, isBinary);
    });
    ws.on('open', () => {
      if (seq !== attemptSeq || stopped) return;
      opened = true;
      void onOpen(ws, seq, where, () => {
        if (awaitingPong) {
          log.warn(
            { ...where, pingIntervalMs },
            'no pong from Freqtrade within one ping interval; reconnecting',
          );
          ws.terminate();
          return;
        }
        awaitingPong = true;
        ws.ping();
      });
    });
    ws.on('close', (code) => {
      if (seq !== attemptSeq || stopped) return;
      socket = undefined;
      clearInterval(pingTimer);
      pingTimer = undefined;
      endConnection(code);
      if (refusedStatus === 401 || refusedStatus === 403) {
        unauthorized(
          `Freqtrade bot "${bot}" refused the message websocket (HTTP ${refusedStatus}): ` +
            `check ws_token of bot "${bot}" in the bots config; it must equal api_server.ws_token of that Freqtrade`,
          where,
        );
      } else if (
        opened &&
        subscribedAtMs !== undefined &&
        Date.now() - subscribedAtMs >= HEALTHY_CONNECTION_MS
      ) {
        // A healthy connection dropped (Freqtrade restarted its API, a proxy timed out): come
        // back at once; the backoff is for attempts that fail.
        log.warn({ ...where, code }, 'message websocket closed; reconnecting now');
        failures = 0;
        setState('closed');
        scheduleReconnect(0);
      } else if (opened) {
        failed(`closed right after connecting (code ${code})`, where);
      } else {
        const reason =
          refusedStatus === undefined
            ? (lastError?.message ?? 'connection failed')
            : `HTTP ${refusedStatus} at the upgrade`;
        failed(reason, where);
      }
    });
  }

  async function onOpen(ws: WebSocket, seq: number, where: UrlParts, ping: () => void): Promise<void> {
    if (connectedBefore || failures > 0 || unauthorizedReported) {
      log.info({ ...where }, 'message websocket connected again');
    } else {
      log.info({ ...where }, 'message websocket connected');
    }
    connectedBefore = true;
    unauthorizedReported = false;

    const types = await subscriptionTypes();
    if (seq !== attemptSeq || stopped || ws.readyState !== WebSocket.OPEN) return;
    subscribed = new Set(types);
    if (types.length > 0) {
      ws.send(JSON.stringify({ type: 'subscribe', data: types }));
      log.debug({ types }, 'subscribed');
    } else {
      log.warn('no message types to subscribe to; this bot will announce nothing live');
    }
    subscribedAtMs = Date.now();
    setState('open');

    pingTimer = setInterval(ping, pingIntervalMs);
    announcedConnected = true;
    events.emit('connected', { types });
  }

  /** An attempt failed or an open connection ended: wait, then try again. */
  function failed(reason: string | undefined, where?: UrlParts): void {
    setState('closed');
    const delayMs = nextBackoffMs();
    if (reason !== undefined) {
      // The first failure in a row is worth a warning; the rest of an outage stays at debug.
      const level = failures === 1 ? 'warn' : 'debug';
      log[level](
        { ...where, reason, retryInMs: delayMs, attempt: failures },
        'could not connect to the message websocket',
      );
    }
    scheduleReconnect(delayMs);
  }

  /** The server refused our credentials: say so once, then retry rarely (someone may fix the config). */
  function unauthorized(message: string, where?: UrlParts): void {
    setState('unauthorized');
    if (!unauthorizedReported) {
      unauthorizedReported = true;
      log.error({ ...where, retryInMs: unauthorizedRetryMs }, message);
    } else {
      log.debug({ ...where, retryInMs: unauthorizedRetryMs }, 'message websocket still unauthorized');
    }
    scheduleReconnect(unauthorizedRetryMs);
  }

  /**
   * The requested types this server knows. Only when a type newer than API 2.40 is requested is
   * the server's API version asked for; if that fails the types are sent as requested.
   */
  async function subscriptionTypes(): Promise<FreqtradeMessageType[]> {
    if (!requested.some((type) => TYPES_NEWER_THAN_API_2_40.has(type))) return requested;
    let apiVersion: number;
    try {
      apiVersion = (await deps.client.showConfig()).api_version;
    } catch (error) {
      log.debug({ reason: describeError(error) }, 'could not read the API version; subscribing as requested');
      return requested;
    }
    if (apiVersion >= OLDEST_KNOWN_API_VERSION) return requested;
    const dropped = requested.filter((type) => TYPES_NEWER_THAN_API_2_40.has(type));
    log.warn(
      { apiVersion, dropped },
      'this Freqtrade is too old for some message types; not subscribing to them',
    );
    return requested.filter((type) => !TYPES_NEWER_THAN_API_2_40.has(type));
  }

  // ------------------------------------------------------------------ frames

  function onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) {
      frameWarnings.run((skipped) => log.warn({ skipped }, 'skipped a binary websocket frame'));
      return;
    }
    const parsed = parseFrame(rawText(data));
    if (!parsed.ok) {
      frameWarnings.run((skipped) => log.warn({ error: parsed.error, skipped }, 'skipped a websocket frame'));
      return;
    }
    const message = parsed.message;
    if (message.type === 'exception') {
      log.warn({ detail: message.status ?? message.data ?? null }, 'Freqtrade reported an exception');
    }
    if (!subscribed.has(message.type)) {
      log.debug({ type: message.type }, 'skipped a frame of a type not subscribed to');
      return;
    }
    events.emit('event', { ...message, bot });
  }

  // ------------------------------------------------------------------ public

  return {
    bot,
    state: () => state,
    on: events.on,
    start() {
      if (started || stopped) return;
      started = true;
      if (requested.length < deps.types.length) {
        const unknown = deps.types.filter((type) => !KNOWN_TYPES.has(type));
        log.warn({ unknown }, 'ignoring message types Freqtrade does not know');
      }
      void connect();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      attemptSeq += 1;
      clearTimers();
      const ws = socket;
      socket = undefined;
      if (ws) await closeSocket(ws);
      endConnection(undefined);
      setState('closed');
    },
  };
}

// -------------------------------------------------------------------- helpers

/** The requested types that are Freqtrade message types, deduplicated, in the given order. */
function knownTypes(types: readonly string[]): FreqtradeMessageType[] {
  const out: FreqtradeMessageType[] = [];
  for (const type of types) {
    const known = FREQTRADE_MESSAGE_TYPES.find((candidate) => candidate === type);
    if (known && !out.includes(known)) out.push(known);
  }
  return out;
}

interface UrlParts {
  host: string;
  path: string;
}

/** Host and path of the websocket URL: never the query, which carries the token. */
function describeUrl(url: string): UrlParts {
  try {
    const parsed = new URL(url);
    return { host: parsed.host, path: parsed.pathname };
  } catch {
    return { host: 'unknown', path: 'unknown' };
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Closes politely, cutting the connection if the closing handshake takes too long. */
function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), CLOSE_TIMEOUT_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    else ws.terminate();
  });
}

/** Lets an action run at most once per interval, telling it how many runs were skipped since. */
function createThrottle(intervalMs: number): { run(action: (skipped: number) => void): void } {
  let lastRunMs = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  return {
    run(action) {
      const nowMs = Date.now();
      if (nowMs - lastRunMs < intervalMs) {
        skipped += 1;
        return;
      }
      lastRunMs = nowMs;
      action(skipped);
      skipped = 0;
    },
  };
}
