/**
 * The consumers of `/api/v1/message/ws`, served like Freqtrade's `WebSocketChannel`: nothing is
 * sent before a subscription, a subscription naming an unknown type is ignored whole, requests
 * with an unknown type are dropped silently, and a frame that is not JSON text closes the socket.
 */
import type { RawData, WebSocket } from 'ws';
import { RPC_MESSAGE_TYPES, type RpcMessage } from './ws-messages.js';

const REQUEST_TYPES = new Set(['subscribe', 'whitelist', 'analyzed_df']);
const KNOWN_MESSAGE_TYPES = new Set(RPC_MESSAGE_TYPES);
/** Freqtrade caps an `analyzed_df` request at 1500 rows. */
const MAX_ANALYZED_ROWS = 1500;

interface Consumer {
  socket: WebSocket;
  subscribed: string[];
}

export interface MessageHubDeps {
  whitelist(): string[];
  /** One `analyzed_df` message per pair (`undefined` = every whitelisted pair), `limit` rows each. */
  analyzedDf(pair: string | undefined, limit: number | undefined): RpcMessage[];
}

export interface MessageHub {
  accept(socket: WebSocket): void;
  /** Sends `message` to every consumer subscribed to its type. */
  emit(message: Record<string, unknown> & { type: string }): void;
  consumers(): Array<{ subscribed: string[] }>;
  /** Terminates every connection (no close handshake). */
  terminateAll(): void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function send(consumer: Consumer, text: string): void {
  if (consumer.socket.readyState === consumer.socket.OPEN) consumer.socket.send(text);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

export function createMessageHub(deps: MessageHubDeps): MessageHub {
  const consumers = new Set<Consumer>();

  function handleRequest(consumer: Consumer, request: Record<string, unknown>): void {
    const data = request['data'];
    switch (request['type']) {
      case 'subscribe': {
        // All or nothing: one unknown type (or a non-list) leaves the old subscription in place.
        if (!Array.isArray(data) || data.length === 0) return;
        if (!data.every((t): t is string => typeof t === 'string' && KNOWN_MESSAGE_TYPES.has(t))) return;
        consumer.subscribed = [...new Set(data)];
        return;
      }
      case 'whitelist':
        send(consumer, JSON.stringify({ type: 'whitelist', data: deps.whitelist() }));
        return;
      case 'analyzed_df': {
        const options: Record<string, unknown> = isRecord(data) ? data : {};
        const limitValue = options['limit'];
        if ('limit' in options && limitValue === null) {
          // Freqtrade: min(None, 1500) raises TypeError in the reader, which closes the connection.
          consumer.socket.close(1000);
          return;
        }
        const empty = Object.keys(options).length === 0;
        const limit = empty
          ? undefined
          : Math.min(typeof limitValue === 'number' ? limitValue : MAX_ANALYZED_ROWS, MAX_ANALYZED_ROWS);
        const pair = typeof options['pair'] === 'string' ? options['pair'] : undefined;
        for (const message of deps.analyzedDf(pair, limit)) send(consumer, JSON.stringify(message));
        return;
      }
      default:
        return;
    }
  }

  return {
    accept(socket) {
      const consumer: Consumer = { socket, subscribed: [] };
      consumers.add(consumer);
      socket.on('message', (data, isBinary) => {
        let request: unknown;
        try {
          if (isBinary) throw new Error('binary frame');
          request = JSON.parse(rawText(data));
        } catch {
          // The reader task dies on an undecodable frame and the channel closes.
          socket.close(1000);
          return;
        }
        if (isRecord(request) && typeof request['type'] === 'string' && REQUEST_TYPES.has(request['type'])) {
          handleRequest(consumer, request);
        }
      });
      socket.on('close', () => consumers.delete(consumer));
      socket.on('error', () => consumers.delete(consumer));
    },
    emit(message) {
      const text = JSON.stringify(message);
      for (const consumer of consumers) if (consumer.subscribed.includes(message.type)) send(consumer, text);
    },
    consumers() {
      return [...consumers]
        .filter((c) => c.socket.readyState === c.socket.OPEN)
        .map((c) => ({ subscribed: [...c.subscribed] }));
    },
    terminateAll() {
      for (const consumer of consumers) consumer.socket.terminate();
      consumers.clear();
    },
  };
}
