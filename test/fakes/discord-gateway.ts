/**
 * The gateway half of the fake Discord (`./fake-discord.ts`): a `ws` server that speaks enough of
 * https://discord.com/developers/docs/events/gateway for @discordjs/ws 1.2 to connect, identify,
 * heartbeat, receive dispatches and resume.
 *
 * - Query `?v=10&encoding=json` (other versions close 4012, other encodings 4002); `compress=zlib-stream`
 *   is honoured with one zlib context per connection, each payload ending in a Z_SYNC_FLUSH. discord.js
 *   asks for it only when `zlib-sync` is installed, so plain JSON text frames are the usual case.
 * - HELLO (op 10) on connect; IDENTIFY (op 2) with the right token gets READY then one GUILD_CREATE per
 *   guild, a wrong token closes 4004; HEARTBEAT (op 1) gets HEARTBEAT_ACK (op 11).
 * - RESUME (op 6) of a live session replays the dispatches the client missed, then RESUMED; an unknown
 *   session gets INVALID_SESSION (op 9, d: false). A session survives a dropped socket (e.g. close 4000
 *   from `drop()`), but ends when the client closes with 1000/1001, as Discord's does.
 * - Dispatches to a session whose socket is gone are kept for the resume.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createDeflate, type Deflate } from 'node:zlib';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { isRecord } from './discord-validate.js';
import { randomToken } from './discord-payloads.js';

/** https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway */
const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
  RequestSoundboardSounds: 31,
} as const;

/** https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes */
export const GatewayClose = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidSeq: 4007,
  InvalidShard: 4010,
  InvalidApiVersion: 4012,
  InvalidIntents: 4013,
} as const;

/** Dispatches a session keeps for a resume; Discord keeps a bounded backlog too. */
const MAX_BACKLOG = 1000;
const ZLIB_SUFFIX = Buffer.from([0x00, 0x00, 0xff, 0xff]);

export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  /** READY's `d` for a new session (with its resume_gateway_url). */
  readyData(sessionId: string, shard: [number, number]): Record<string, unknown>;
  /** One GUILD_CREATE `d` per guild, sent right after READY. */
  guildCreates(): Array<Record<string, unknown>>;
}

interface Dispatch {
  op: 0;
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  seq: number;
  backlog: Dispatch[];
  connection?: Connection;
  ended: boolean;
}

interface Connection {
  socket: WebSocket;
  session?: Session;
  /** True once READY or RESUMED went out on this socket. */
  live: boolean;
  deflate?: Deflate;
  /** Sends go out in order even when compression makes them asynchronous. */
  chain: Promise<void>;
  closedByServer: boolean;
}

export interface FakeGateway {
  /** Takes over an HTTP upgrade request for the gateway path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Sends a dispatch to every live session (kept for a resume while a session's socket is down). */
  dispatch(type: string, data: unknown): number;
  /** Sessions that would receive a dispatch now or after a resume. */
  liveSessions(): number;
  /** Closes every gateway socket with `code`; sessions stay resumable. */
  drop(code: number): void;
  connections(): number;
  readyCount(): number;
  resumedCount(): number;
  close(): Promise<void>;
}

export function createFakeGateway(options: GatewayOptions): FakeGateway {
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new Map<string, Session>();
  const open = new Set<Connection>();
  let connectionCount = 0;
  let readyCount = 0;
  let resumedCount = 0;

  function compress(deflate: Deflate, text: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (chunk: Buffer) => {
        chunks.push(chunk);
        const joined = Buffer.concat(chunks);
        if (joined.length >= 4 && joined.subarray(-4).equals(ZLIB_SUFFIX)) {
          deflate.off('data', onData);
          deflate.off('error', reject);
          resolve(joined);
        }
      };
      deflate.on('data', onData);
      deflate.once('error', reject);
      deflate.write(text);
      deflate.flush(2); // Z_SYNC_FLUSH: the frame ends in 00 00 ff ff, as Discord's do
    });
  }

  function send(connection: Connection, payload: Record<string, unknown>): void {
    const text = JSON.stringify(payload);
    connection.chain = connection.chain.then(async () => {
      if (connection.socket.readyState !== WebSocket.OPEN) return;
      if (connection.deflate) connection.socket.send(await compress(connection.deflate, text));
      else connection.socket.send(text);
    });
    connection.chain.catch(() => undefined);
  }

  function closeWith(connection: Connection, code: number, reason: string): void {
    connection.closedByServer = true;
    connection.chain = connection.chain.then(() => {
      if (connection.socket.readyState === WebSocket.OPEN) connection.socket.close(code, reason);
    });
  }

  function pushDispatch(session: Session, type: string, data: unknown): void {
    session.seq += 1;
    const event: Dispatch = { op: Op.Dispatch, s: session.seq, t: type, d: data };
    session.backlog.push(event);
    if (session.backlog.length > MAX_BACKLOG) session.backlog.shift();
    const connection = session.connection;
    if (connection?.live) send(connection, { ...event });
  }

  function attach(connection: Connection, session: Session): void {
    const previous = session.connection;
    if (previous && previous !== connection)
      closeWith(previous, GatewayClose.UnknownError, 'Session taken over');
    session.connection = connection;
    connection.session = session;
  }

  function identify(connection: Connection, data: Record<string, unknown>): void {
    if (connection.session) {
      closeWith(connection, GatewayClose.AlreadyAuthenticated, 'Already authenticated.');
      return;
    }
    if (data['token'] !== options.token) {
      closeWith(connection, GatewayClose.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    if (typeof data['intents'] !== 'number' || !Number.isInteger(data['intents']) || data['intents'] < 0) {
      closeWith(connection, GatewayClose.InvalidIntents, 'Invalid intent(s).');
      return;
    }
    const shardRaw = data['shard'];
    let shard: [number, number] = [0, 1];
    if (Array.isArray(shardRaw)) {
      const [id, count] = shardRaw;
      if (typeof id !== 'number' || typeof count !== 'number' || id < 0 || count < 1 || id >= count) {
        closeWith(connection, GatewayClose.InvalidShard, 'Invalid shard.');
        return;
      }
      shard = [id, count];
    }
    const session: Session = { id: randomToken(16), seq: 0, backlog: [], ended: false };
    sessions.set(session.id, session);
    attach(connection, session);
    connection.live = true;
    readyCount += 1;
    pushDispatch(session, 'READY', options.readyData(session.id, shard));
    for (const guild of options.guildCreates()) pushDispatch(session, 'GUILD_CREATE', guild);
  }

  function resume(connection: Connection, data: Record<string, unknown>): void {
    if (connection.session) {
      closeWith(connection, GatewayClose.AlreadyAuthenticated, 'Already authenticated.');
      return;
    }
    if (data['token'] !== options.token) {
      closeWith(connection, GatewayClose.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    const sessionId = data['session_id'];
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    const seq = data['seq'];
    if (!session || session.ended) {
      send(connection, { op: Op.InvalidSession, d: false, s: null, t: null });
      return;
    }
    if (typeof seq === 'number' && seq > session.seq) {
      closeWith(connection, GatewayClose.InvalidSeq, 'Invalid seq.');
      return;
    }
    attach(connection, session);
    connection.live = true;
    const after = typeof seq === 'number' ? seq : 0;
    for (const event of session.backlog) if (event.s > after) send(connection, { ...event });
    resumedCount += 1;
    pushDispatch(session, 'RESUMED', { _trace: ['["fake-discord-gateway",{"micros":0}]'] });
  }

  function onMessage(connection: Connection, raw: RawData): void {
    let payload: unknown;
    try {
      let text: string;
      if (Array.isArray(raw)) text = Buffer.concat(raw).toString('utf8');
      else if (Buffer.isBuffer(raw)) text = raw.toString('utf8');
      else text = Buffer.from(new Uint8Array(raw)).toString('utf8');
      payload = JSON.parse(text);
    } catch {
      closeWith(connection, GatewayClose.DecodeError, 'Error while decoding payload.');
      return;
    }
    if (!isRecord(payload) || typeof payload['op'] !== 'number') {
      closeWith(connection, GatewayClose.DecodeError, 'Error while decoding payload.');
      return;
    }
    const data = isRecord(payload['d']) ? payload['d'] : {};
    switch (payload['op']) {
      case Op.Heartbeat:
        send(connection, { op: Op.HeartbeatAck, d: null, s: null, t: null });
        return;
      case Op.Identify:
        identify(connection, data);
        return;
      case Op.Resume:
        resume(connection, data);
        return;
      case Op.PresenceUpdate:
      case Op.VoiceStateUpdate:
      case Op.RequestGuildMembers:
      case Op.RequestSoundboardSounds:
        if (!connection.session) closeWith(connection, GatewayClose.NotAuthenticated, 'Not authenticated.');
        return;
      default:
        closeWith(connection, GatewayClose.UnknownOpcode, 'Unknown opcode.');
    }
  }

  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    connectionCount += 1;
    const connection: Connection = { socket, live: false, chain: Promise.resolve(), closedByServer: false };
    open.add(connection);
    socket.on('close', (code: number) => {
      open.delete(connection);
      connection.deflate?.close();
      const session = connection.session;
      if (!session || session.connection !== connection) return;
      session.connection = undefined;
      // A client that closes with 1000/1001 ends its session (https://discord.com/developers/docs/events/gateway#disconnecting).
      if (!connection.closedByServer && (code === 1000 || code === 1001)) session.ended = true;
    });
    socket.on('message', (raw: RawData) => onMessage(connection, raw));
    socket.on('error', () => undefined);

    const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    if (query.get('v') !== '10') {
      closeWith(connection, GatewayClose.InvalidApiVersion, 'Invalid API version.');
      return;
    }
    if ((query.get('encoding') ?? 'json') !== 'json') {
      closeWith(connection, GatewayClose.DecodeError, 'Only encoding=json is supported by the fake.');
      return;
    }
    const compression = query.get('compress');
    if (compression === 'zlib-stream') connection.deflate = createDeflate();
    else if (compression !== null) {
      closeWith(connection, GatewayClose.DecodeError, `Unsupported compression: ${compression}.`);
      return;
    }
    send(connection, {
      op: Op.Hello,
      d: {
        heartbeat_interval: options.heartbeatIntervalMs,
        _trace: ['["fake-discord-gateway",{"micros":0}]'],
      },
      s: null,
      t: null,
    });
  });

  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    dispatch(type, data) {
      let delivered = 0;
      for (const session of sessions.values()) {
        if (session.ended) continue;
        pushDispatch(session, type, data);
        delivered += 1;
      }
      return delivered;
    },
    liveSessions() {
      return [...sessions.values()].filter((session) => !session.ended).length;
    },
    drop(code) {
      for (const connection of open) closeWith(connection, code, 'Dropped by the fake Discord');
    },
    connections: () => connectionCount,
    readyCount: () => readyCount,
    resumedCount: () => resumedCount,
    async close() {
      for (const session of sessions.values()) session.ended = true;
      for (const connection of open) connection.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
