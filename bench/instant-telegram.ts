/**
 * A minimal Bot API server for the pipeline benchmark: answers at once, enforces nothing, and
 * timestamps every sendMessage once its body has fully arrived, in absolute milliseconds
 * (performance.timeOrigin + performance.now()), so the latency from a websocket frame to the
 * outgoing API call can be measured even when the app runs in another process on this machine.
 *
 * It knows just what grammY and the app call: getMe, setMyCommands, deleteWebhook, getUpdates
 * (held for the long-poll timeout), sendMessage; anything else answers `true`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export const INSTANT_TOKEN = '424242:BENCH-instant-token';

export interface ReceivedSend {
  /** performance.timeOrigin + performance.now() when the request body was complete. */
  at: number;
  chatId: string;
  text: string;
}

export interface InstantTelegram {
  readonly apiRoot: string;
  readonly token: string;
  /** Called for every sendMessage, synchronously, before the answer is written. */
  onSend: ((send: ReceivedSend) => void) | undefined;
  readonly sendCount: number;
  close(): Promise<void>;
}

const BOT_USER = {
  id: 424242,
  is_bot: true,
  first_name: 'Bench',
  username: 'chatops_bench_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function answer(res: ServerResponse, result: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const body = JSON.stringify({ ok: true, result });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startInstantTelegram(): Promise<InstantTelegram> {
  let sendCount = 0;
  let nextMessageId = 1;
  const heldPolls = new Set<{ res: ServerResponse; timer: NodeJS.Timeout }>();
  const sockets = new Set<Socket>();

  const hooks: { onSend: InstantTelegram['onSend'] } = { onSend: undefined };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string, at: number): void => {
    const method = /\/bot[^/]+\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '';
    let params: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (isRecord(parsed)) params = parsed;
      } catch {
        params = {};
      }
    }
    switch (method) {
      case 'getMe':
        answer(res, BOT_USER);
        return;
      case 'sendMessage': {
        sendCount += 1;
        const chatId = String(params['chat_id'] ?? '');
        const text = typeof params['text'] === 'string' ? params['text'] : '';
        hooks.onSend?.({ at, chatId, text });
        answer(res, {
          message_id: nextMessageId++,
          from: BOT_USER,
          chat: { id: Number(chatId), type: 'private', first_name: `User${chatId}` },
          date: Math.floor(Date.now() / 1000),
          text,
        });
        return;
      }
      case 'getUpdates': {
        const timeoutS = typeof params['timeout'] === 'number' ? params['timeout'] : 0;
        if (timeoutS <= 0) {
          answer(res, []);
          return;
        }
        const poll = {
          res,
          timer: setTimeout(() => {
            heldPolls.delete(poll);
            answer(res, []);
          }, timeoutS * 1000),
        };
        heldPolls.add(poll);
        res.on('close', () => {
          clearTimeout(poll.timer);
          heldPolls.delete(poll);
        });
        return;
      }
      default:
        answer(res, true);
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      handle(req, res, Buffer.concat(chunks).toString('utf8'), at);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token: INSTANT_TOKEN,
    get onSend() {
      return hooks.onSend;
    },
    set onSend(listener) {
      hooks.onSend = listener;
    },
    get sendCount() {
      return sendCount;
    },
    async close() {
      for (const poll of heldPolls) {
        clearTimeout(poll.timer);
        answer(poll.res, []);
      }
      heldPolls.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
