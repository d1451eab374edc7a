/**
 * The fake Freqtrade server for tests (it lives in src/simulator so the demo can run it too), plus
 * small helpers for talking to it: Basic auth headers, JSON fetches and a websocket consumer that
 * queues what it receives.
 */
import WebSocket from 'ws';
import type { FakeFreqtrade } from '../../src/simulator/freqtrade-server.js';

export {
  type FakeBotState,
  type FakeCustomData,
  type FakeFreqtrade,
  type FakeFreqtradeOptions,
  type FakeLock,
  type FakeLogLine,
  type FakeOrder,
  type FakeRunmode,
  type FakeState,
  type FakeTrade,
  type RecordedRequest,
  startFakeFreqtrade,
} from '../../src/simulator/freqtrade-server.js';

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
