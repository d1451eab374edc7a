/**
 * The fake Freqtrade server for tests: the simulator (src/simulator, which the demo runs too) plus
 * the test hooks it does not ship (`failNext`, `emitRaw`, `dropWebsockets`), added through its
 * seams; and small helpers for talking to it: Basic auth headers, JSON fetches and a websocket
 * consumer that queues what it receives.
 */
import { STATUS_CODES } from 'node:http';
import WebSocket from 'ws';
import {
  type FakeFreqtradeOptions,
  type FakeFreqtrade as SimulatedFreqtrade,
  startFakeFreqtrade as startSimulator,
} from '../../src/simulator/freqtrade-server.js';

export type {
  FakeBotState,
  FakeCustomData,
  FakeFreqtradeOptions,
  FakeLock,
  FakeLogLine,
  FakeOrder,
  FakeRunmode,
  FakeState,
  FakeTrade,
  RecordedRequest,
} from '../../src/simulator/freqtrade-server.js';

/** The simulator with the hooks only tests need. */
export interface FakeFreqtrade extends SimulatedFreqtrade {
  /** The next request matching `method` and `path` (with or without `/api/v1`) answers `status` / `body` once. */
  failNext(method: string, path: string, status: number, body?: unknown): void;
  /** Sends a raw text frame to every connected websocket consumer. */
  emitRaw(text: string): void;
  /** Terminates every websocket connection abruptly; the server stays up. */
  dropWebsockets(): void;
}

const API_PREFIX = '/api/v1';

/** Strips `/api/v1` and any query string from a path given to `failNext`. */
function normalizeFailurePath(path: string): string {
  const bare = path.split('?')[0] ?? '';
  const withoutPrefix = bare.startsWith(API_PREFIX) ? bare.slice(API_PREFIX.length) : bare;
  return withoutPrefix.startsWith('/') ? withoutPrefix : `/${withoutPrefix}`;
}

/** Starts the simulator on 127.0.0.1 with the test hooks; resolves once it listens. */
export async function startFakeFreqtrade(options: FakeFreqtradeOptions = {}): Promise<FakeFreqtrade> {
  const failures: Array<{ method: string; path: string; status: number; body: unknown }> = [];
  const sockets = new Set<WebSocket>();
  const simulator = await startSimulator(options, {
    interceptRequest({ method, path, fullPath }) {
      const index = failures.findIndex((f) => f.method === method && f.path === path);
      const failure = index < 0 ? undefined : failures.splice(index, 1)[0];
      if (!failure) return undefined;
      const body =
        failure.body !== undefined
          ? failure.body
          : failure.status === 502
            ? { error: `Error querying ${fullPath}: injected failure` }
            : { detail: STATUS_CODES[failure.status] ?? 'Error' };
      return { status: failure.status, body };
    },
    onWebsocket(socket) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    },
  });
  return Object.assign(simulator, {
    failNext(method: string, path: string, status: number, body?: unknown) {
      failures.push({ method: method.toUpperCase(), path: normalizeFailurePath(path), status, body });
    },
    emitRaw(text: string) {
      for (const socket of sockets) if (socket.readyState === socket.OPEN) socket.send(text);
    },
    dropWebsockets() {
      for (const socket of sockets) socket.terminate();
      sockets.clear();
    },
  });
}

/** The fake's default credentials and websocket token. */
export const FAKE_CREDENTIALS = {
  username: 'freqtrader',
  password: 'secret-pass',
  wsToken: 'ws-secret-token',
} as const;

/** An `Authorization` header value for HTTP Basic. */
export function basicAuth(
  username: string = FAKE_CREDENTIALS.username,
  password: string = FAKE_CREDENTIALS.password,
): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON (undefined when empty). */
  body: unknown;
}

/**
 * Calls `path` under `/api/v1` of `fake` with Basic auth unless `auth` says otherwise
 * (`'none'`, or a full `Authorization` value); `json` is sent as the body.
 */
export async function callApi(
  fake: FakeFreqtrade,
  path: string,
  init: { method?: string; json?: unknown; rawBody?: string; auth?: string } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const auth = init.auth ?? basicAuth();
  if (auth !== 'none') headers['authorization'] = auth;
  let body: string | undefined;
  if (init.rawBody !== undefined) body = init.rawBody;
  else if (init.json !== undefined) body = JSON.stringify(init.json);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${fake.url}/api/v1${path}`, { method: init.method ?? 'GET', headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Polls `condition` every 10 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs = 2000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waitUntil: ${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface TestConsumer {
  socket: WebSocket;
  /** Every text frame received so far, parsed (or the raw text if it was not JSON). */
  received: unknown[];
  /** Sends `value` as a JSON text frame. */
  send(value: unknown): void;
  /** Subscribes and waits until the fake has applied the subscription. */
  subscribe(types: string[]): Promise<void>;
  /** Resolves with the next frame (received after the call or still unread), or rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<unknown>;
  /** Resolves with the close code once the socket closed. */
  closed(): Promise<number>;
  close(): void;
}

/** Opens the message websocket of `fake` (default token: the fake's ws token). */
export function connectConsumer(
  fake: FakeFreqtrade,
  token: string = FAKE_CREDENTIALS.wsToken,
): Promise<TestConsumer> {
  const socket = new WebSocket(
    `ws://127.0.0.1:${fake.port}/api/v1/message/ws?token=${encodeURIComponent(token)}`,
  );
  const received: unknown[] = [];
  let readIndex = 0;
  const waiters: Array<() => void> = [];
  let closeCode: number | undefined;
  const closeWaiters: Array<(code: number) => void> = [];
  socket.on('message', (data) => {
    const text = data.toString();
    try {
      received.push(JSON.parse(text));
    } catch {
      received.push(text);
    }
    for (const wake of waiters.splice(0)) wake();
  });
  socket.on('close', (code) => {
    closeCode = code;
    for (const resolve of closeWaiters.splice(0)) resolve(code);
    for (const wake of waiters.splice(0)) wake();
  });
  const consumer: TestConsumer = {
    socket,
    received,
    send: (value) => socket.send(JSON.stringify(value)),
    async subscribe(types) {
      socket.send(JSON.stringify({ type: 'subscribe', data: types }));
      await waitUntil(
        () => fake.wsConsumers().some((c) => types.every((t) => c.subscribed.includes(t))),
        2000,
        `subscription to ${types.join(', ')}`,
      );
    },
    next(timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no websocket frame within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = (): void => {
          if (readIndex < received.length) {
            clearTimeout(timer);
            resolve(received[readIndex++]);
          } else if (closeCode !== undefined) {
            clearTimeout(timer);
            reject(new Error(`websocket closed (${closeCode}) before a frame arrived`));
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    closed() {
      return closeCode !== undefined
        ? Promise.resolve(closeCode)
        : new Promise((resolve) => closeWaiters.push(resolve));
    },
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(consumer));
    socket.once('unexpected-response', (req, res) => {
      req.destroy();
      reject(new Error(`websocket upgrade refused: ${res.statusCode}`));
    });
    socket.once('error', reject);
  });
}
