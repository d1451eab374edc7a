/**
 * A fake Telegram Bot API server on 127.0.0.1 (node:http only) for end-to-end tests.
 *
 * grammY talks to it through `new Bot(fake.token, { client: { apiRoot: fake.apiRoot } })`. Calls arrive
 * as `POST /bot<token>/<method>` with a JSON, url-encoded or multipart body (GET with a query string
 * works too), and get Telegram's envelopes and error texts back:
 * `{"ok":false,"error_code":400,"description":"Bad Request: ..."}`, 429 with
 * `parameters.retry_after`, 401 `Unauthorized` for another token, 404 `Not Found` for an unknown
 * method (including real Bot API methods this fake does not implement, e.g. sendDocument).
 *
 * Photos (`sendPhoto`, `editMessageMedia`) arrive as multipart/form-data with the file in a part
 * named by `attach://<name>`; their bytes are kept (`SentMessage.photo`) so tests can decode them.
 * Captions are checked as texts are, but may be empty and are limited to 1024 code points.
 *
 * Message texts go through the same checks Telegram applies (see `./telegram-html.ts`): HTML parse
 * mode parsed strictly, trimming, non-empty, ≤ 4096 code points after entity parsing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { checkMessageText, type TelegramEntity } from './telegram-html.js';

export {
  type CheckedText,
  checkMessageText,
  codePointLength,
  MAX_MESSAGE_LENGTH,
  type ParsedHtml,
  parseTelegramHtml,
  type TelegramEntity,
} from './telegram-html.js';

/** Telegram's flood limits as this fake enforces them when `rateLimits` is on. */
export interface RateLimitOptions {
  /** Steady rate per chat (https://core.telegram.org/bots/faq: "no more than one message per second"). */
  perChatPerSecond: number;
  /** Messages one chat may take back to back after a quiet spell ("we may allow short bursts"). */
  perChatBurst: number;
  /** Per group or channel chat (chat_id < 0): "no more than 20 messages per minute". */
  groupPerMinute: number;
  /** Across all chats: "not more than 30 messages per second or so". */
  globalPerSecond: number;
}

/** Defaults for `rateLimits: true`. */
export const DEFAULT_RATE_LIMITS = {
  perChatPerSecond: 1,
  perChatBurst: 3,
  groupPerMinute: 20,
  globalPerSecond: 30,
} satisfies Required<RateLimitOptions>;

export interface FakeTelegramOptions {
  /** Default '123456:TEST-token-abcdef'. */
  token?: string;
  /** Default {id: 999000, username: 'chatops_test_bot', first_name: 'ChatOps'}. */
  botUser?: { id: number; username: string; first_name: string };
  /**
   * Default false. true (or partial limits) = enforce flood limits on sendMessage,
   * editMessageText, sendPhoto and editMessageMedia: per chat (GCRA, 1 msg/s with a burst of 3), per group chat (chat_id < 0,
   * 20 per sliding minute) and overall (30 per sliding second). Violations get 429 with an integer
   * `retry_after` ≥ 1 (seconds). Rejected calls do not count.
   */
  rateLimits?: boolean | Partial<RateLimitOptions>;
}

export interface SentMessage {
  message_id: number;
  chat_id: string;
  /** Text after entity parsing and trimming: tags removed, entities decoded. */
  text: string;
  /** The text exactly as sent. */
  html: string;
  parse_mode?: string;
  message_thread_id?: number;
  disable_notification?: boolean;
  reply_markup?: unknown;
  at: number;
  method: 'sendMessage' | 'editMessageText' | 'sendPhoto' | 'editMessageMedia';
  /** Formatting entities Telegram derived from the HTML (UTF-16 offsets). */
  entities: TelegramEntity[];
  /** The uploaded picture of a photo message; `text` and `html` are then its caption. */
  photo?: SentPhoto;
}

/** A photo as the fake received it. */
export interface SentPhoto {
  file_id: string;
  /** The upload's file name (the multipart part's `filename`). */
  fileName: string;
  /** The uploaded bytes, exactly as sent. */
  bytes: Buffer;
  /** From the PNG header (0 for other formats). */
  width: number;
  height: number;
}

export interface ApiCall {
  method: string;
  body: Record<string, unknown>;
  /** When the call arrived (ms since epoch). */
  at: number;
  /** HTTP status of the answer; 0 while a long poll is still held. */
  status: number;
}

/** A message as it stands now in the fake's chat history (after edits and deletions). */
export interface StoredMessageView {
  message_id: number;
  chat_id: string;
  fromBot: boolean;
  text: string;
  html: string;
  entities: TelegramEntity[];
  reply_markup?: unknown;
  message_thread_id?: number;
  deleted: boolean;
  edits: number;
  /** Set for a photo message (its `text` is the caption). */
  photo?: SentPhoto;
}

type ChatType = 'private' | 'group' | 'supergroup' | 'channel';

export interface FakeTelegram {
  /** 'http://127.0.0.1:PORT' (no trailing slash). */
  readonly apiRoot: string;
  readonly token: string;
  /** Every call, in arrival order. */
  readonly calls: ApiCall[];
  /** Every ACCEPTED sendMessage / editMessageText / sendPhoto / editMessageMedia, in order. */
  readonly messages: SentMessage[];
  /** 429 answers so far, injected and enforced. */
  readonly count429: number;
  /** Updates queued and not yet confirmed by a getUpdates offset. */
  readonly pendingUpdateCount: number;
  /** The last setMyCommands for a scope (default scope, no language when omitted). */
  commands(
    scope?: Record<string, unknown>,
    languageCode?: string,
  ): Array<{ command: string; description: string }>;
  /** Queue an incoming text message (with bot_command entities) for getUpdates; returns its update_id. */
  sendText(input: {
    chatId: number | string;
    userId: number;
    text: string;
    chatType?: 'private' | 'group' | 'supergroup';
    threadId?: number;
    username?: string;
  }): number;
  /** Simulate a button press on a message the bot sent (or any message id); returns the callback query id. */
  pressButton(input: {
    chatId: number | string;
    userId: number;
    messageId: number;
    data: string;
    threadId?: number;
    chatType?: 'private' | 'group' | 'supergroup';
  }): string;
  /** Queue a raw Update object (its update_id is kept if given); returns its update_id. */
  pushUpdate(update: Record<string, unknown>): number;
  /** The update_id of the last update queued (a message, a button press or a raw update). */
  readonly lastUpdateId: number;
  /** Answer the next N calls of `method` ('*' for any) with 429 retry_after=seconds. */
  fail429(method: string, times: number, retryAfterS: number): void;
  /** Answer the next N calls of `method` ('*' for any) with this error. */
  failNext(method: string, times: number, errorCode: number, description: string): void;
  /** Hold the next call of `method` unanswered until the returned function is called (or the fake closes). */
  holdNext(method: string): () => void;
  callbackAnswers(): Array<{ callback_query_id: string; text?: string; show_alert?: boolean }>;
  /** The current state of a message in a chat, or undefined if it never existed. */
  message(chatId: number | string, messageId: number): StoredMessageView | undefined;
  /** The reply keyboard (ReplyKeyboardMarkup) the chat shows now, the last one sent; undefined when none. */
  replyKeyboard(chatId: number | string): Record<string, unknown> | undefined;
  /** Resolves when `messages` has at least n entries (rejects after timeoutMs, default 5000). */
  waitForMessages(n: number, timeoutMs?: number): Promise<SentMessage[]>;
  /**
   * From now on answer nothing, as a Telegram that became unreachable mid-connection: the held
   * long poll and every later call stay open without an answer (calls still records them, with
   * status 0) until close().
   */
  stopAnswering(): void;
  /** Stops the server; a held long poll is answered with no updates first (unless stopAnswering). */
  close(): Promise<void>;
}

const DEFAULT_TOKEN = '123456:TEST-token-abcdef';
const DEFAULT_BOT_USER = { id: 999000, username: 'chatops_test_bot', first_name: 'ChatOps' };
/** Without `allowed_updates`, Telegram leaves these out (https://core.telegram.org/bots/api#getupdates). */
const OPT_IN_UPDATE_TYPES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);
/** https://core.telegram.org/bots/api#sendphoto: caption of 0-1024 characters after entities parsing. */
const MAX_CAPTION_LENGTH = 1024;
const CAPTION_TOO_LONG = 'Bad Request: message caption is too long';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** https://core.telegram.org/bots/api#answercallbackquery: text of 0-200 characters. */
const MAX_CALLBACK_ANSWER_LENGTH = 200;
const QUERY_INVALID = 'Bad Request: query is too old and response timeout expired or query ID is invalid';
const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const MAX_BODY_BYTES = 20 * 1024 * 1024;
/**
 * Node timers may fire a millisecond before Date.now() says they are due; a sender that waits a full
 * interval after Telegram's answer must not be punished for that.
 */
const CLOCK_SLACK_MS = 5;

interface ChatState {
  key: string;
  id: number;
  type: ChatType;
  username?: string;
  firstName?: string;
  title?: string;
  isForum: boolean;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
  /** The reply keyboard the chat shows now: the last one sent, until removed. */
  replyKeyboard?: Record<string, unknown>;
}

interface StoredMessage {
  message_id: number;
  fromBot: boolean;
  from: Record<string, unknown>;
  date: number;
  text: string;
  html: string;
  entities: TelegramEntity[];
  reply_markup?: Record<string, unknown>;
  threadId?: number;
  deleted: boolean;
  editDate?: number;
  edits: number;
  /** Set for a photo message: `text`, `html` and `entities` are then its caption. */
  photo?: SentPhoto;
}

type Outcome =
  | { ok: true; result: unknown }
  | { ok: false; code: number; description: string; parameters?: Record<string, unknown> };

interface HeldPoll {
  res: ServerResponse;
  call: ApiCall;
  limit: number;
  timer: NodeJS.Timeout;
}

interface FailureRule {
  method: string;
  remaining: number;
  outcome: () => Outcome;
}

interface Waiter {
  n: number;
  resolve: (messages: SentMessage[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

type Params = Record<string, unknown>;

function ok(result: unknown): Outcome {
  return { ok: true, result };
}

function badRequest(description: string): Outcome {
  return { ok: false, code: 400, description };
}

function tooManyRequests(retryAfterS: number): Outcome {
  return {
    ok: false,
    code: 429,
    description: `Too Many Requests: retry after ${retryAfterS}`,
    parameters: { retry_after: retryAfterS },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An integer parameter from JSON (number) or a form (decimal string); undefined otherwise. */
function intParam(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function boolParam(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}

/** Object parameters may arrive JSON-serialized (forms, multipart). */
function jsonParam(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Rejects a reply keyboard (ReplyKeyboardMarkup) Telegram would reject: `keyboard` is an array of
 * arrays of KeyboardButton objects with a non-empty `text`, or of plain strings.
 */
function validateReplyKeyboard(markup: Record<string, unknown>): string | undefined {
  const rows = markup['keyboard'];
  if (!Array.isArray(rows))
    return 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an Array';
  for (const row of rows) {
    if (!Array.isArray(row))
      return 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays';
    for (const button of row) {
      const text = typeof button === 'string' ? button : isRecord(button) ? button['text'] : undefined;
      if (!isRecord(button) && typeof button !== 'string')
        return "Bad Request: can't parse keyboard button: KeyboardButton must be a String or an Object";
      if (typeof text !== 'string')
        return 'Bad Request: can\'t parse keyboard button: Field "text" must be of type String';
      if (text.trim() === '') return 'Bad Request: keyboard button text must be non-empty';
    }
  }
  for (const flag of ['resize_keyboard', 'one_time_keyboard', 'is_persistent', 'selective']) {
    if (flag in markup && typeof markup[flag] !== 'boolean')
      return `Bad Request: field "${flag}" of the ReplyKeyboardMarkup must be of type Boolean`;
  }
  return undefined;
}

/**
 * Rejects reply markup Telegram would reject; returns the error description or undefined. Edits
 * take only an inline keyboard (`inlineOnly`); a new message may carry a reply keyboard instead.
 */
function validateReplyMarkup(markup: unknown, inlineOnly = false): string | undefined {
  if (markup === undefined) return undefined;
  if (!isRecord(markup)) return "Bad Request: can't parse reply keyboard markup JSON object";
  if (!('inline_keyboard' in markup)) {
    if (inlineOnly) return 'Bad Request: inline keyboard expected';
    if ('keyboard' in markup) return validateReplyKeyboard(markup);
    return undefined;
  }
  const rows = markup['inline_keyboard'];
  if (!Array.isArray(rows))
    return 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array';
  for (const row of rows) {
    if (!Array.isArray(row))
      return 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays';
    for (const button of row) {
      if (!isRecord(button))
        return "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object";
      if (typeof button['text'] !== 'string') {
        return 'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String';
      }
      const data = button['callback_data'];
      if (data !== undefined) {
        const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : 0;
        if (bytes < 1 || bytes > 64) return 'Bad Request: BUTTON_DATA_INVALID';
        continue;
      }
      const url = button['url'];
      if (url !== undefined) {
        if (typeof url !== 'string' || !URL.canParse(url)) return 'Bad Request: BUTTON_URL_INVALID';
        continue;
      }
      const actions = [
        'switch_inline_query',
        'switch_inline_query_current_chat',
        'web_app',
        'login_url',
        'pay',
      ];
      if (!actions.some((key) => key in button) && !('copy_text' in button)) {
        return "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";
      }
    }
  }
  return undefined;
}

/** bot_command entities as Telegram marks them in incoming text (tdlib's match_bot_commands). */
function botCommandEntities(text: string): Array<{ type: 'bot_command'; offset: number; length: number }> {
  const pattern = /(?<![\p{L}\p{N}_/<>])\/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\p{L}\p{N}_/<>])/gu;
  return [...text.matchAll(pattern)].map((match) => ({
    type: 'bot_command',
    offset: match.index ?? 0,
    length: match[0].length,
  }));
}

/** GCRA per chat plus sliding windows per group chat and overall; answers the wait in seconds. */
class FloodControl {
  private readonly perChatTat = new Map<string, number>();
  private readonly groupSends = new Map<string, number[]>();
  private globalSends: number[] = [];
  private readonly intervalMs: number;
  private readonly toleranceMs: number;

  constructor(private readonly limits: RateLimitOptions) {
    this.intervalMs = 1000 / limits.perChatPerSecond;
    this.toleranceMs = Math.max(0, limits.perChatBurst - 1) * this.intervalMs + CLOCK_SLACK_MS;
  }

  /** 0 if a message to this chat may go now, else the retry_after to answer (integer ≥ 1). */
  retryAfterS(chatKey: string, isGroup: boolean, now: number): number {
    let waitMs = 0;
    const tat = this.perChatTat.get(chatKey) ?? now;
    if (now < tat - this.toleranceMs) waitMs = Math.max(waitMs, tat - this.toleranceMs - now);

    this.globalSends = this.globalSends.filter((at) => at > now - 1000);
    const oldestGlobal = this.globalSends[0];
    if (this.globalSends.length >= this.limits.globalPerSecond && oldestGlobal !== undefined) {
      waitMs = Math.max(waitMs, oldestGlobal + 1000 - now);
    }

    if (isGroup) {
      const sends = (this.groupSends.get(chatKey) ?? []).filter((at) => at > now - 60_000);
      this.groupSends.set(chatKey, sends);
      const oldest = sends[0];
      if (sends.length >= this.limits.groupPerMinute && oldest !== undefined) {
        waitMs = Math.max(waitMs, oldest + 60_000 - now);
      }
    }
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
  }

  record(chatKey: string, isGroup: boolean, now: number): void {
    const tat = this.perChatTat.get(chatKey) ?? now;
    this.perChatTat.set(chatKey, Math.max(tat, now) + this.intervalMs);
    this.globalSends.push(now);
    if (isGroup) {
      const sends = this.groupSends.get(chatKey) ?? [];
      sends.push(now);
      this.groupSends.set(chatKey, sends);
    }
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** An uploaded file part of a multipart/form-data body. */
interface UploadedFile {
  filename: string;
  /** Its size in bytes. */
  bytes: number;
  data: Buffer;
}

function isUploadedFile(value: unknown): value is UploadedFile {
  return isRecord(value) && Buffer.isBuffer(value['data']) && typeof value['filename'] === 'string';
}

/** Text fields of a multipart/form-data body; file parts become `{ filename, bytes, data }`. */
function parseMultipart(body: Buffer, boundary: string): Params {
  const params: Params = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name = /(?:^|[;\s])name="([^"]*)"/i.exec(headers)?.[1];
      // grammY writes `filename=<name>` unquoted; browsers and most clients quote it.
      const filenameMatch = /filename=(?:"([^"]*)"|([^;\r\n]*))/i.exec(headers);
      const filename = filenameMatch ? (filenameMatch[1] ?? filenameMatch[2] ?? '').trim() : undefined;
      if (name !== undefined) {
        params[name] =
          filename !== undefined
            ? ({ filename, bytes: content.length, data: Buffer.from(content) } satisfies UploadedFile)
            : content.toString('utf8');
      }
    }
    start = next;
  }
  return params;
}

function parseParams(req: IncomingMessage, url: URL, body: Buffer): Params | undefined {
  const params: Params = Object.fromEntries(url.searchParams);
  if (body.length === 0) return params;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (!isRecord(parsed)) return undefined;
      return { ...params, ...parsed };
    } catch {
      return undefined;
    }
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '');
  if (contentType.startsWith('multipart/form-data') && boundary) {
    return { ...params, ...parseMultipart(body, boundary[1] ?? boundary[2] ?? '') };
  }
  return params;
}

/** Starts a fake Bot API server on 127.0.0.1 and an ephemeral port. */
export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = options.token ?? DEFAULT_TOKEN;
  const botUser = options.botUser ?? DEFAULT_BOT_USER;
  const botUserObject = {
    id: botUser.id,
    is_bot: true,
    first_name: botUser.first_name,
    username: botUser.username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  };
  const flood = options.rateLimits
    ? new FloodControl({
        ...DEFAULT_RATE_LIMITS,
        ...(typeof options.rateLimits === 'object' ? options.rateLimits : {}),
      })
    : undefined;

  const calls: ApiCall[] = [];
  const messages: SentMessage[] = [];
  const chats = new Map<string, ChatState>();
  const users = new Map<number, Record<string, unknown>>();
  const updates: Array<Record<string, unknown> & { update_id: number }> = [];
  const commandSets = new Map<string, Array<{ command: string; description: string }>>();
  const callbackQueries = new Map<string, { answered: boolean }>();
  const answers: Array<{ callback_query_id: string; text?: string; show_alert?: boolean }> = [];
  const failureRules: FailureRule[] = [];
  const holds: Array<{ method: string; released: Promise<void> }> = [];
  /** Every hold's release, so close() answers calls still held. */
  const holdReleases: Array<() => void> = [];
  const waiters: Waiter[] = [];
  let count429 = 0;
  let nextUpdateId = 100_000_001;
  let nextCallbackId = 1;
  let nextSyntheticChatId = -1_001_000_000_000;
  let allowedUpdates: Set<string> | undefined;
  let heldPoll: HeldPoll | undefined;
  let closed = false;
  /** Set by stopAnswering(): requests are kept open here, never answered. */
  let silent = false;
  const unanswered: ServerResponse[] = [];

  // ---------------------------------------------------------------- chats, users, messages

  function chatKeyOf(value: unknown): string | undefined {
    if (typeof value === 'number' && Number.isInteger(value)) return String(value);
    if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return String(Number(value.trim()));
    if (typeof value === 'string' && /^@[A-Za-z0-9_]{4,32}$/.test(value)) return value.toLowerCase();
    return undefined;
  }

  function chatFor(key: string, typeHint?: ChatType): ChatState {
    let chat = chats.get(key);
    if (!chat) {
      const numeric = key.startsWith('@') ? undefined : Number(key);
      let type: ChatType;
      if (typeHint) type = typeHint;
      else if (numeric === undefined) type = 'channel';
      else if (numeric > 0) type = 'private';
      else if (key.startsWith('-100')) type = 'supergroup';
      else type = 'group';
      const id = numeric ?? nextSyntheticChatId--;
      chat = { key, id, type, isForum: false, nextMessageId: 1, messages: new Map() };
      if (key.startsWith('@')) chat.username = key.slice(1);
      if (type === 'private') chat.firstName = `User${id}`;
      else chat.title = `Test ${type} ${id}`;
      chats.set(key, chat);
    } else if (typeHint && chat.type !== typeHint) {
      chat.type = typeHint;
      if (typeHint !== 'private' && !chat.title) chat.title = `Test ${typeHint} ${chat.id}`;
    }
    return chat;
  }

  function chatObject(chat: ChatState): Record<string, unknown> {
    const object: Record<string, unknown> = { id: chat.id, type: chat.type };
    if (chat.title !== undefined && chat.type !== 'private') object['title'] = chat.title;
    if (chat.firstName !== undefined && chat.type === 'private') object['first_name'] = chat.firstName;
    if (chat.username !== undefined) object['username'] = chat.username;
    if (chat.isForum) object['is_forum'] = true;
    return object;
  }

  function userFor(userId: number, username?: string): Record<string, unknown> {
    let user = users.get(userId);
    if (!user) {
      user = { id: userId, is_bot: false, first_name: username ?? `User${userId}`, language_code: 'en' };
      users.set(userId, user);
    }
    if (username !== undefined) user['username'] = username;
    return user;
  }

  function messageObject(chat: ChatState, message: StoredMessage): Record<string, unknown> {
    const object: Record<string, unknown> = {
      message_id: message.message_id,
      from: message.from,
      chat: chatObject(chat),
      date: message.date,
    };
    if (message.threadId !== undefined) {
      object['message_thread_id'] = message.threadId;
      object['is_topic_message'] = true;
    }
    if (message.editDate !== undefined) object['edit_date'] = message.editDate;
    if (message.photo) {
      object['photo'] = [
        {
          file_id: message.photo.file_id,
          file_unique_id: message.photo.file_id.slice(-12),
          width: message.photo.width,
          height: message.photo.height,
          file_size: message.photo.bytes.length,
        },
      ];
      if (message.text) object['caption'] = message.text;
      if (message.entities.length > 0) object['caption_entities'] = message.entities;
    } else {
      object['text'] = message.text;
      if (message.entities.length > 0) object['entities'] = message.entities;
    }
    if (message.reply_markup && 'inline_keyboard' in message.reply_markup) {
      object['reply_markup'] = message.reply_markup;
    }
    return object;
  }

  function botMessageToEdit(
    params: Params,
    kind: 'edit' | 'delete',
  ): { chat: ChatState; message: StoredMessage } | Outcome {
    if (params['inline_message_id'] !== undefined) return badRequest('Bad Request: MESSAGE_ID_INVALID');
    const key = chatKeyOf(params['chat_id']);
    if (params['chat_id'] === undefined) return badRequest('Bad Request: chat_id is empty');
    if (!key) return badRequest('Bad Request: chat not found');
    const messageId = intParam(params['message_id']);
    if (messageId === undefined) return badRequest('Bad Request: message identifier is not specified');
    const chat = chats.get(key);
    const message = chat?.messages.get(messageId);
    if (!chat || !message || message.deleted) {
      return badRequest(
        kind === 'edit'
          ? 'Bad Request: message to edit not found'
          : 'Bad Request: message to delete not found',
      );
    }
    if (kind === 'edit' && !message.fromBot) return badRequest("Bad Request: message can't be edited");
    return { chat, message };
  }

  function notify(): void {
    for (const waiter of [...waiters]) {
      if (messages.length >= waiter.n) {
        clearTimeout(waiter.timer);
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve([...messages]);
      }
    }
  }

  /** Flood control for message-producing calls; a 429 outcome or undefined to go ahead. */
  function floodCheck(chat: ChatState): { outcome?: Outcome; commit: () => void } {
    if (!flood) return { commit: () => {} };
    const now = Date.now();
    const isGroup = chat.id < 0;
    const retryAfterS = flood.retryAfterS(chat.key, isGroup, now);
    if (retryAfterS > 0) return { outcome: tooManyRequests(retryAfterS), commit: () => {} };
    return { commit: () => flood.record(chat.key, isGroup, now) };
  }

  // ---------------------------------------------------------------- updates and long polling

  function updateType(update: Record<string, unknown>): string {
    return Object.keys(update).find((key) => key !== 'update_id') ?? '';
  }

  function isAllowed(update: Record<string, unknown>): boolean {
    const type = updateType(update);
    return allowedUpdates ? allowedUpdates.has(type) : !OPT_IN_UPDATE_TYPES.has(type);
  }

  /** Drops updates the bot no longer wants (allowed_updates), then answers the deliverable ones. */
  function deliverable(limit: number): Array<Record<string, unknown>> {
    for (let i = updates.length - 1; i >= 0; i -= 1) {
      const update = updates[i];
      if (update && !isAllowed(update)) updates.splice(i, 1);
    }
    return updates.slice(0, limit);
  }

  function enqueue(update: Record<string, unknown>): number {
    const given = intParam(update['update_id']);
    const updateId = given ?? nextUpdateId;
    nextUpdateId = Math.max(nextUpdateId, updateId + 1);
    updates.push({ ...update, update_id: updateId });
    const poll = heldPoll;
    if (poll) {
      const batch = deliverable(poll.limit);
      if (batch.length > 0) void answerHeldPoll(ok(batch));
    }
    return updateId;
  }

  function answerHeldPoll(outcome: Outcome): Promise<void> {
    const poll = heldPoll;
    if (!poll) return Promise.resolve();
    heldPoll = undefined;
    clearTimeout(poll.timer);
    return respond(poll.res, poll.call, outcome);
  }

  // ---------------------------------------------------------------- methods

  function getUpdates(params: Params, res: ServerResponse, call: ApiCall): Outcome | 'held' {
    const offset = intParam(params['offset']);
    const limit = Math.min(100, Math.max(1, intParam(params['limit']) ?? 100));
    const timeoutS = Math.max(0, intParam(params['timeout']) ?? 0);
    const allowed = jsonParam(params['allowed_updates']);
    if (Array.isArray(allowed)) {
      allowedUpdates =
        allowed.length > 0 ? new Set(allowed.filter((t): t is string => typeof t === 'string')) : undefined;
    }
    if (heldPoll) {
      void answerHeldPoll({
        ok: false,
        code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
    }
    if (offset !== undefined && offset > 0) {
      while (updates.length > 0 && (updates[0]?.update_id ?? 0) < offset) updates.shift();
    } else if (offset !== undefined && offset < 0) {
      updates.splice(0, Math.max(0, updates.length + offset));
    }
    const batch = deliverable(limit);
    if (batch.length > 0 || timeoutS === 0 || closed) return ok(batch);
    const timer = setTimeout(() => {
      void answerHeldPoll(ok([]));
    }, timeoutS * 1000);
    heldPoll = { res, call, limit, timer };
    res.on('close', () => {
      if (heldPoll?.res === res) {
        clearTimeout(heldPoll.timer);
        heldPoll = undefined;
        call.status = 499; // the client went away (e.g. bot.stop() aborted the poll)
      }
    });
    return 'held';
  }

  /**
   * A send's chat, content, markup and topic, checked in that order as Telegram checks them;
   * `checkContent` says what the message carries, or answers its error outcome.
   */
  function checkSend<C extends object>(
    params: Params,
    checkContent: () => Outcome | C,
  ): Outcome | { destination: { key: string; markup: unknown; threadId: number | undefined }; content: C } {
    if (params['chat_id'] === undefined) return badRequest('Bad Request: chat_id is empty');
    const key = chatKeyOf(params['chat_id']);
    if (!key) return badRequest('Bad Request: chat not found');
    const content = checkContent();
    if ('ok' in content) return content;
    const markup = jsonParam(params['reply_markup']);
    const markupError = validateReplyMarkup(markup);
    if (markupError) return badRequest(markupError);
    const threadId = intParam(params['message_thread_id']);
    if (params['message_thread_id'] !== undefined && (threadId === undefined || threadId <= 0)) {
      return badRequest('Bad Request: message thread not found');
    }
    return { destination: { key, markup, threadId }, content };
  }

  /**
   * Passes the flood limits, then stores a message the bot sent and records it: the content is
   * already checked. A reply keyboard belongs to the chat, not the message: edits compare inline
   * keyboards only.
   */
  function deliverSent(
    params: Params,
    destination: { key: string; markup: unknown; threadId: number | undefined },
    content: {
      method: 'sendMessage' | 'sendPhoto';
      text: string;
      html: string;
      entities: TelegramEntity[];
      photo?: SentPhoto;
    },
  ): Outcome {
    const { key, markup, threadId } = destination;
    const chat = chatFor(key);
    const gate = floodCheck(chat);
    if (gate.outcome) return gate.outcome;
    gate.commit();

    const stored: StoredMessage = {
      message_id: chat.nextMessageId++,
      fromBot: true,
      from: botUserObject,
      date: nowSeconds(),
      text: content.text,
      html: content.html,
      entities: content.entities,
      deleted: false,
      edits: 0,
      ...(content.photo ? { photo: content.photo } : {}),
    };
    if (isRecord(markup) && 'inline_keyboard' in markup) stored.reply_markup = markup;
    if (isRecord(markup) && 'keyboard' in markup) chat.replyKeyboard = markup;
    if (isRecord(markup) && 'remove_keyboard' in markup) delete chat.replyKeyboard;
    if (threadId !== undefined) stored.threadId = threadId;
    chat.messages.set(stored.message_id, stored);

    const sent: SentMessage = {
      message_id: stored.message_id,
      chat_id: key,
      text: content.text,
      html: content.html,
      at: Date.now(),
      method: content.method,
      entities: content.entities,
      ...(content.photo ? { photo: content.photo } : {}),
    };
    if (typeof params['parse_mode'] === 'string') sent.parse_mode = params['parse_mode'];
    if (threadId !== undefined) sent.message_thread_id = threadId;
    const silent = boolParam(params['disable_notification']);
    if (silent !== undefined) sent.disable_notification = silent;
    if (markup !== undefined) sent.reply_markup = markup;
    messages.push(sent);
    notify();
    return ok(messageObject(chat, stored));
  }

  function sendMessage(params: Params): Outcome {
    const checked = checkSend(params, () => {
      const text = checkMessageText(params['text'], params['parse_mode']);
      if (!text.ok) return badRequest(text.description);
      return {
        method: 'sendMessage' as const,
        text: text.text,
        html: String(params['text']),
        entities: text.entities,
      };
    });
    if ('ok' in checked) return checked;
    return deliverSent(params, checked.destination, checked.content);
  }

  function editMessageText(params: Params): Outcome {
    const target = botMessageToEdit(params, 'edit');
    if ('ok' in target) return target;
    const { chat, message } = target;
    if (message.photo) return badRequest('Bad Request: there is no text in the message to edit');
    const raw = params['text'];
    const checked = checkMessageText(raw, params['parse_mode'], {
      tooLongDescription: 'Bad Request: MESSAGE_TOO_LONG',
    });
    if (!checked.ok) return badRequest(checked.description);
    const markup = jsonParam(params['reply_markup']);
    const markupError = validateReplyMarkup(markup, true);
    if (markupError) return badRequest(markupError);
    // Omitting reply_markup removes the inline keyboard, so "same content" compares against none.
    const newMarkup = isRecord(markup) ? markup : undefined;
    const sameText =
      checked.text === message.text && JSON.stringify(checked.entities) === JSON.stringify(message.entities);
    if (sameText && JSON.stringify(newMarkup) === JSON.stringify(message.reply_markup))
      return badRequest(NOT_MODIFIED);
    const gate = floodCheck(chat);
    if (gate.outcome) return gate.outcome;
    gate.commit();

    const html = String(raw);
    message.text = checked.text;
    message.html = html;
    message.entities = checked.entities;
    if (newMarkup) message.reply_markup = newMarkup;
    else delete message.reply_markup;
    message.editDate = nowSeconds();
    message.edits += 1;

    const sent: SentMessage = {
      message_id: message.message_id,
      chat_id: chat.key,
      text: checked.text,
      html,
      at: Date.now(),
      method: 'editMessageText',
      entities: checked.entities,
    };
    if (typeof params['parse_mode'] === 'string') sent.parse_mode = params['parse_mode'];
    if (message.threadId !== undefined) sent.message_thread_id = message.threadId;
    if (markup !== undefined) sent.reply_markup = markup;
    messages.push(sent);
    notify();
    return ok(messageObject(chat, message));
  }

  let nextFileId = 1;

  /**
   * The picture a `photo` / `media` value names: `attach://<part>` must name an uploaded part of
   * the request; a PNG gets its size from its header. An Outcome when Telegram would refuse it.
   */
  function uploadedPhoto(params: Params, value: unknown): SentPhoto | Outcome {
    if (value === undefined || value === '')
      return badRequest('Bad Request: there is no photo in the request');
    if (typeof value !== 'string') return badRequest('Bad Request: wrong file identifier/HTTP URL specified');
    const attached = /^attach:\/\/(.+)$/.exec(value)?.[1];
    if (attached === undefined) return badRequest('Bad Request: wrong file identifier/HTTP URL specified');
    const part = params[attached];
    if (!isUploadedFile(part)) return badRequest('Bad Request: there is no photo in the request');
    const data = part.data;
    const isPng = data.length >= 24 && data.subarray(0, 8).equals(PNG_SIGNATURE);
    const isJpeg = data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
    if (!isPng && !isJpeg) return badRequest('Bad Request: IMAGE_PROCESS_FAILED');
    return {
      file_id: `AgACAgQAAxkDAAI${String(nextFileId++).padStart(8, '0')}`,
      fileName: part.filename,
      bytes: data,
      width: isPng ? data.readUInt32BE(16) : 0,
      height: isPng ? data.readUInt32BE(20) : 0,
    };
  }

  /** A caption as Telegram takes it: optional, else checked like a text but ≤ 1024. */
  function checkCaption(
    raw: unknown,
    parseMode: unknown,
  ): { text: string; entities: TelegramEntity[] } | Outcome {
    if (raw === undefined || raw === '') return { text: '', entities: [] };
    const checked = checkMessageText(raw, parseMode, {
      maxLength: MAX_CAPTION_LENGTH,
      tooLongDescription: CAPTION_TOO_LONG,
    });
    if (checked.ok) return { text: checked.text, entities: checked.entities };
    // A caption of only whitespace is no caption, not an error.
    if (checked.description === 'Bad Request: message text is empty' && typeof raw === 'string')
      return { text: '', entities: [] };
    return badRequest(checked.description);
  }

  function sendPhoto(params: Params): Outcome {
    const checked = checkSend(params, () => {
      const photo = uploadedPhoto(params, params['photo']);
      if ('ok' in photo) return photo;
      const caption = checkCaption(params['caption'], params['parse_mode']);
      if ('ok' in caption) return caption;
      return {
        method: 'sendPhoto' as const,
        text: caption.text,
        html: typeof params['caption'] === 'string' ? params['caption'] : '',
        entities: caption.entities,
        photo,
      };
    });
    if ('ok' in checked) return checked;
    return deliverSent(params, checked.destination, checked.content);
  }

  function editMessageMedia(params: Params): Outcome {
    const target = botMessageToEdit(params, 'edit');
    if ('ok' in target) return target;
    const { chat, message } = target;
    const media = jsonParam(params['media']);
    if (!isRecord(media))
      return badRequest("Bad Request: can't parse InputMedia: Can't parse media JSON object");
    if (media['type'] !== 'photo') return badRequest('Bad Request: this fake edits photos only');
    if (!message.photo) return badRequest('Bad Request: there is no media in the message to edit');
    const photo = uploadedPhoto(params, media['media']);
    if ('ok' in photo) return photo;
    const caption = checkCaption(media['caption'], media['parse_mode']);
    if ('ok' in caption) return caption;
    const markup = jsonParam(params['reply_markup']);
    const markupError = validateReplyMarkup(markup);
    if (markupError) return badRequest(markupError);
    const gate = floodCheck(chat);
    if (gate.outcome) return gate.outcome;
    gate.commit();

    const html = typeof media['caption'] === 'string' ? media['caption'] : '';
    message.photo = photo;
    message.text = caption.text;
    message.html = html;
    message.entities = caption.entities;
    if (isRecord(markup)) message.reply_markup = markup;
    else delete message.reply_markup;
    message.editDate = nowSeconds();
    message.edits += 1;

    const sent: SentMessage = {
      message_id: message.message_id,
      chat_id: chat.key,
      text: caption.text,
      html,
      at: Date.now(),
      method: 'editMessageMedia',
      entities: caption.entities,
      photo,
    };
    if (typeof media['parse_mode'] === 'string') sent.parse_mode = media['parse_mode'];
    if (message.threadId !== undefined) sent.message_thread_id = message.threadId;
    if (markup !== undefined) sent.reply_markup = markup;
    messages.push(sent);
    notify();
    return ok(messageObject(chat, message));
  }

  function editMessageReplyMarkup(params: Params): Outcome {
    const target = botMessageToEdit(params, 'edit');
    if ('ok' in target) return target;
    const { chat, message } = target;
    const markup = jsonParam(params['reply_markup']);
    const markupError = validateReplyMarkup(markup, true);
    if (markupError) return badRequest(markupError);
    const newMarkup = isRecord(markup) ? markup : undefined;
    if (JSON.stringify(newMarkup) === JSON.stringify(message.reply_markup)) return badRequest(NOT_MODIFIED);
    if (newMarkup) message.reply_markup = newMarkup;
    else delete message.reply_markup;
    message.editDate = nowSeconds();
    message.edits += 1;
    return ok(messageObject(chat, message));
  }

  function deleteMessage(params: Params): Outcome {
    const target = botMessageToEdit(params, 'delete');
    if ('ok' in target) return target;
    target.message.deleted = true;
    return ok(true);
  }

  function answerCallbackQuery(params: Params): Outcome {
    const id = params['callback_query_id'];
    const query = typeof id === 'string' ? callbackQueries.get(id) : undefined;
    if (typeof id !== 'string' || !query || query.answered) return badRequest(QUERY_INVALID);
    const text = params['text'];
    if (typeof text === 'string' && [...text].length > MAX_CALLBACK_ANSWER_LENGTH) {
      return badRequest('Bad Request: MESSAGE_TOO_LONG');
    }
    query.answered = true;
    const answer: { callback_query_id: string; text?: string; show_alert?: boolean } = {
      callback_query_id: id,
    };
    if (typeof text === 'string') answer.text = text;
    const showAlert = boolParam(params['show_alert']);
    if (showAlert !== undefined) answer.show_alert = showAlert;
    answers.push(answer);
    return ok(true);
  }

  function scopeKey(scope: unknown, languageCode: unknown): string {
    const parsed = jsonParam(scope);
    const normalized = isRecord(parsed) ? parsed : { type: 'default' };
    const sorted = Object.fromEntries(Object.entries(normalized).sort(([a], [b]) => a.localeCompare(b)));
    return `${JSON.stringify(sorted)}|${typeof languageCode === 'string' ? languageCode : ''}`;
  }

  function setMyCommands(params: Params): Outcome {
    const commands = jsonParam(params['commands']);
    if (!Array.isArray(commands)) return badRequest('Bad Request: field "commands" must be an Array');
    if (commands.length > 100) return badRequest('Bad Request: BOT_COMMANDS_TOO_MUCH');
    const valid: Array<{ command: string; description: string }> = [];
    for (const entry of commands) {
      if (!isRecord(entry))
        return badRequest("Bad Request: can't parse BotCommand: BotCommand must be an Object");
      const { command, description } = entry;
      if (typeof command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command)) {
        return badRequest('Bad Request: BOT_COMMAND_INVALID');
      }
      if (
        typeof description !== 'string' ||
        description.trim().length === 0 ||
        [...description].length > 256
      ) {
        return badRequest('Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
      }
      valid.push({ command, description });
    }
    commandSets.set(scopeKey(params['scope'], params['language_code']), valid);
    return ok(true);
  }

  function sendChatAction(params: Params): Outcome {
    if (params['chat_id'] === undefined) return badRequest('Bad Request: chat_id is empty');
    if (!chatKeyOf(params['chat_id'])) return badRequest('Bad Request: chat not found');
    const action = params['action'];
    if (typeof action !== 'string' || !CHAT_ACTIONS.has(action)) {
      return badRequest('Bad Request: wrong parameter action in request');
    }
    return ok(true);
  }

  const methods: Record<string, (params: Params) => Outcome> = {
    getMe: () => ok(botUserObject),
    deleteWebhook: (params) => {
      if (boolParam(params['drop_pending_updates'])) updates.splice(0, updates.length);
      return ok(true);
    },
    getWebhookInfo: () =>
      ok({ url: '', has_custom_certificate: false, pending_update_count: updates.length }),
    setMyCommands,
    getMyCommands: (params) => ok(commandSets.get(scopeKey(params['scope'], params['language_code'])) ?? []),
    deleteMyCommands: (params) => {
      commandSets.delete(scopeKey(params['scope'], params['language_code']));
      return ok(true);
    },
    sendMessage,
    editMessageText,
    sendPhoto,
    editMessageMedia,
    editMessageReplyMarkup,
    deleteMessage,
    answerCallbackQuery,
    sendChatAction,
    close: () => ok(true),
    logOut: () => ok(true),
  };
  const methodNames = new Map<string, string>(
    ['getUpdates', ...Object.keys(methods)].map((name) => [name.toLowerCase(), name]),
  );

  // ---------------------------------------------------------------- HTTP

  function respond(
    res: ServerResponse,
    call: ApiCall,
    outcome: Outcome,
    closeConnection = false,
  ): Promise<void> {
    const status = outcome.ok ? 200 : outcome.code;
    if (status === 429) count429 += 1;
    if (call.status !== 499) call.status = status;
    const body = outcome.ok
      ? { ok: true, result: outcome.result }
      : {
          ok: false,
          error_code: outcome.code,
          description: outcome.description,
          ...(outcome.parameters ? { parameters: outcome.parameters } : {}),
        };
    return new Promise((resolve) => {
      if (res.writableEnded || res.destroyed) {
        resolve();
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (closeConnection) headers['connection'] = 'close';
      res.writeHead(status, headers);
      res.end(JSON.stringify(body), () => resolve());
    });
  }

  function takeInjectedFailure(method: string): Outcome | undefined {
    const rule = failureRules.find(
      (candidate) =>
        candidate.remaining > 0 && (candidate.method === '*' || candidate.method === method.toLowerCase()),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) failureRules.splice(failureRules.indexOf(rule), 1);
    return rule.outcome();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/bot([^/]+)\/([^/]+)$/.exec(url.pathname);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      res.writeHead(413).end();
      return;
    }
    const params = parseParams(req, url, body);
    const call: ApiCall = { method: match?.[2] ?? url.pathname, body: params ?? {}, at, status: 0 };
    calls.push(call);
    if (silent) {
      unanswered.push(res);
      return;
    }
    if (!match) {
      await respond(res, call, { ok: false, code: 404, description: 'Not Found' });
      return;
    }
    if (match[1] !== token) {
      await respond(res, call, { ok: false, code: 401, description: 'Unauthorized' });
      return;
    }
    const method = methodNames.get((match[2] ?? '').toLowerCase());
    if (!method) {
      await respond(res, call, { ok: false, code: 404, description: 'Not Found' });
      return;
    }
    call.method = method;
    if (!params) {
      await respond(res, call, badRequest("Bad Request: can't parse JSON object"));
      return;
    }
    const hold = holds.find((candidate) => candidate.method === method.toLowerCase());
    if (hold) {
      holds.splice(holds.indexOf(hold), 1);
      await hold.released;
    }
    const injected = takeInjectedFailure(method);
    if (injected) {
      await respond(res, call, injected);
      return;
    }
    if (method === 'getUpdates') {
      const outcome = getUpdates(params, res, call);
      if (outcome !== 'held') await respond(res, call, outcome);
      return;
    }
    const handler = methods[method];
    await respond(res, call, handler ? handler(params) : { ok: false, code: 404, description: 'Not Found' });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ok: false,
            error_code: 500,
            description: `Internal Server Error: ${String(error)}`,
          }),
        );
      }
    });
  });
  // grammY keeps connections alive; outlive its idle sockets so a reused socket is never reset under it.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('fake Telegram: server has no TCP address');
  const { port } = address;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    calls,
    messages,
    get count429() {
      return count429;
    },
    get pendingUpdateCount() {
      return updates.length;
    },
    commands(scope, languageCode) {
      return [...(commandSets.get(scopeKey(scope, languageCode)) ?? [])];
    },
    sendText(input) {
      const key = chatKeyOf(input.chatId);
      if (!key) throw new Error(`sendText: chatId ${String(input.chatId)} is not a Telegram chat id`);
      const chat = chatFor(key, input.chatType);
      if (input.threadId !== undefined && chat.type === 'supergroup') chat.isForum = true;
      const from = userFor(input.userId, input.username);
      if (chat.type === 'private') {
        chat.firstName = String(from['first_name']);
        if (input.username !== undefined) chat.username = input.username;
      }
      const stored: StoredMessage = {
        message_id: chat.nextMessageId++,
        fromBot: false,
        from,
        date: nowSeconds(),
        text: input.text,
        html: input.text,
        entities: [],
        deleted: false,
        edits: 0,
      };
      if (input.threadId !== undefined) stored.threadId = input.threadId;
      chat.messages.set(stored.message_id, stored);
      const message = messageObject(chat, stored);
      const commands = botCommandEntities(input.text);
      if (commands.length > 0) message['entities'] = commands;
      return enqueue({ message });
    },
    pressButton(input) {
      const key = chatKeyOf(input.chatId);
      if (!key) throw new Error(`pressButton: chatId ${String(input.chatId)} is not a Telegram chat id`);
      const chat = chatFor(key, input.chatType);
      const from = userFor(input.userId);
      const stored = chat.messages.get(input.messageId);
      let message: Record<string, unknown>;
      if (stored && !stored.deleted) {
        message = messageObject(chat, stored);
      } else {
        message = {
          message_id: input.messageId,
          from: botUserObject,
          chat: chatObject(chat),
          date: nowSeconds(),
          text: '',
        };
        if (input.threadId !== undefined) {
          message['message_thread_id'] = input.threadId;
          message['is_topic_message'] = true;
        }
      }
      const id = `${botUser.id}${String(nextCallbackId++).padStart(6, '0')}`;
      callbackQueries.set(id, { answered: false });
      enqueue({
        callback_query: {
          id,
          from,
          message,
          chat_instance: String(Math.abs(chat.id) * 7 + 13),
          data: input.data,
        },
      });
      return id;
    },
    pushUpdate(update) {
      return enqueue(update);
    },
    get lastUpdateId() {
      return nextUpdateId - 1;
    },
    fail429(method, times, retryAfterS) {
      failureRules.push({
        method: method === '*' ? '*' : method.toLowerCase(),
        remaining: times,
        outcome: () => tooManyRequests(retryAfterS),
      });
    },
    failNext(method, times, errorCode, description) {
      failureRules.push({
        method: method === '*' ? '*' : method.toLowerCase(),
        remaining: times,
        outcome: () => ({ ok: false, code: errorCode, description }),
      });
    },
    holdNext(method) {
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.push({ method: method.toLowerCase(), released });
      holdReleases.push(release);
      return release;
    },
    callbackAnswers() {
      return answers.map((answer) => ({ ...answer }));
    },
    replyKeyboard(chatId) {
      const key = chatKeyOf(chatId);
      const keyboard = key ? chats.get(key)?.replyKeyboard : undefined;
      return keyboard ? structuredClone(keyboard) : undefined;
    },
    message(chatId, messageId) {
      const key = chatKeyOf(chatId);
      const chat = key ? chats.get(key) : undefined;
      const stored = chat?.messages.get(messageId);
      if (!chat || !stored) return undefined;
      const view: StoredMessageView = {
        message_id: stored.message_id,
        chat_id: chat.key,
        fromBot: stored.fromBot,
        text: stored.text,
        html: stored.html,
        entities: stored.entities,
        deleted: stored.deleted,
        edits: stored.edits,
      };
      if (stored.reply_markup) view.reply_markup = stored.reply_markup;
      if (stored.photo) view.photo = stored.photo;
      if (stored.threadId !== undefined) view.message_thread_id = stored.threadId;
      return view;
    },
    waitForMessages(n, timeoutMs = 5000) {
      if (messages.length >= n) return Promise.resolve([...messages]);
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          n,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.splice(waiters.indexOf(waiter), 1);
            reject(
              new Error(
                `fake Telegram: expected ${n} messages within ${timeoutMs} ms, got ${messages.length}: ${JSON.stringify(
                  messages.map((m) => m.text.slice(0, 80)),
                )}`,
              ),
            );
          }, timeoutMs),
        };
        waiters.push(waiter);
      });
    },
    stopAnswering() {
      silent = true;
      const poll = heldPoll;
      if (poll) {
        heldPoll = undefined;
        clearTimeout(poll.timer);
        unanswered.push(poll.res);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const release of holdReleases.splice(0)) release();
      for (const waiter of waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(
          new Error(`fake Telegram closed with ${messages.length} of ${waiter.n} expected messages`),
        );
      }
      const poll = heldPoll;
      if (poll) {
        heldPoll = undefined;
        clearTimeout(poll.timer);
        await respond(poll.res, poll.call, ok([]), true);
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
