/**
 * The one error hierarchy. Adapters decide what reaches a chat by class:
 * only `UserInputError` text is shown verbatim; the others get a short, secret-free reply.
 */
export class ChatopsError extends Error {
  override name: string = 'ChatopsError';
}

/** The service answered, and said no (HTTP status ≥ 400 or an error body). */
export class ApiError extends ChatopsError {
  override name = 'ApiError' as const;
  readonly service: string;
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** The service's own explanation (Freqtrade's `detail` / `error`, Gemini's `message`), if any. */
  readonly detail: string | undefined;
  /** A service-specific reason code (Gemini's `reason`), if any. */
  readonly reason: string | undefined;
  /** What the user can do about it, in plain words (never a secret). */
  readonly hint: string | undefined;

  constructor(opts: {
    service: string;
    status: number;
    method: string;
    path: string;
    detail?: string | undefined;
    reason?: string | undefined;
    hint?: string | undefined;
  }) {
    const detail = opts.detail ? `: ${opts.detail}` : '';
    const hint = opts.hint ? ` (${opts.hint})` : '';
    super(`${opts.service}: ${opts.method} ${opts.path} failed with ${opts.status}${detail}${hint}`);
    this.service = opts.service;
    this.status = opts.status;
    this.method = opts.method;
    this.path = opts.path;
    this.detail = opts.detail;
    this.reason = opts.reason;
    this.hint = opts.hint;
  }
}

/**
 * Why no answer came, as a code that decisions switch on (never on message text):
 * `refused`, `dns` and `tls` prove the request never reached the service; `reset`, `timeout`
 * and `other` leave open whether it acted.
 */
export const NETWORK_FAILURE_KINDS = [
  'refused',
  'reset',
  'timeout',
  'dns',
  'tls',
  'unreachable',
  'other',
] as const;
export type NetworkFailureKind = (typeof NETWORK_FAILURE_KINDS)[number];

/** No answer came: connection refused, reset, DNS failure or timeout. */
export class NetworkError extends ChatopsError {
  override name = 'NetworkError' as const;
  readonly service: string;
  readonly method: string;
  /** The URL without query string or credentials. */
  readonly url: string;
  /** What kind of failure, for decisions. */
  readonly kind: NetworkFailureKind;
  /** A short cause for people, e.g. "connection refused" or "timed out after 10000 ms". */
  readonly reasonText: string;

  constructor(opts: {
    service: string;
    method: string;
    url: string;
    kind: NetworkFailureKind;
    reason: string;
    cause?: unknown;
  }) {
    super(`${opts.service} is unreachable (${opts.reason} at ${opts.url})`, { cause: opts.cause });
    this.service = opts.service;
    this.method = opts.method;
    this.url = opts.url;
    this.kind = opts.kind;
    this.reasonText = opts.reason;
  }

  /** True when the failure proves the request never reached the service (so it cannot have acted). */
  get neverArrived(): boolean {
    return (
      this.kind === 'refused' || this.kind === 'dns' || this.kind === 'tls' || this.kind === 'unreachable'
    );
  }
}

/**
 * Classifies a failed fetch from its error codes only (never a message, which may hold a URL):
 * the kind, and a short reason for people. One function for every HTTP client we have.
 */
export function classifyNetworkFailure(error: unknown): { kind: NetworkFailureKind; reason: string } {
  const code = errorCodeOf(error);
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'refused', reason: 'connection refused' };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'dns', reason: 'host not found (DNS lookup failed)' };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return { kind: 'reset', reason: 'connection reset' };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { kind: 'timeout', reason: 'connect timed out' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { kind: 'unreachable', reason: 'host unreachable' };
    case undefined:
      return { kind: 'other', reason: 'request failed' };
    default:
      if (/^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_VERIFY)/.test(code)) {
        return { kind: 'tls', reason: `TLS handshake failed (${code})` };
      }
      return { kind: 'other', reason: `request failed (${code})` };
  }
}

/** The first `code` found on an error, its `cause` chain or an AggregateError's members. */
function errorCodeOf(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined;
  if ('code' in error && typeof error.code === 'string') return error.code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const code = errorCodeOf(inner, depth + 1);
      if (code) return code;
    }
  }
  return 'cause' in error ? errorCodeOf(error.cause, depth + 1) : undefined;
}

/** Data failed a schema: a response body, a websocket frame, a store file. */
export class ValidationError extends ChatopsError {
  override name = 'ValidationError' as const;
  readonly where: string;
  readonly issues: string[];

  constructor(where: string, issues: string[]) {
    super(`${where} did not match the expected shape: ${issues.slice(0, 5).join('; ')}`);
    this.where = where;
    this.issues = issues;
  }
}

/** The user typed something we cannot act on. Its message is safe to show in chat as is. */
export class UserInputError extends ChatopsError {
  override name = 'UserInputError' as const;
  readonly usage: string | undefined;

  constructor(message: string, usage?: string) {
    super(message);
    this.usage = usage;
  }
}

/** The configuration file is missing or invalid; `problems` lists every wrong key. */
export class ConfigError extends ChatopsError {
  override name = 'ConfigError' as const;
  readonly problems: string[];

  constructor(message: string, problems: string[] = []) {
    super(problems.length ? `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
    this.problems = problems;
  }
}

/**
 * A shared store (Redis) holds a key layout this version does not read, e.g. one written by a
 * newer version: refused rather than silently overwritten.
 */
export class StoreLayoutError extends ChatopsError {
  override name = 'StoreLayoutError' as const;
}

/**
 * A notification could not be delivered. The outbox acts on the fields: `permanent` marks the
 * chat (bot removed, channel gone), `dropMessage` drops this one message (the platform refused
 * it as malformed, so retrying would block the chat forever), `retryAfterMs` is the platform's
 * "slow down" (Telegram's 429 `retry_after`, Discord's rate-limit reset); otherwise it retries.
 * Each adapter sets them from its own platform's answers.
 */
export class DeliveryError extends ChatopsError {
  override name = 'DeliveryError' as const;
  readonly permanent: boolean;
  readonly dropMessage: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    opts: { permanent: boolean; dropMessage?: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: opts.cause });
    this.permanent = opts.permanent;
    this.dropMessage = opts.dropMessage ?? false;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** A chat platform refused our credentials (Telegram's 401 for the token, Discord's invalid token). */
export class PlatformAuthError extends ChatopsError {
  override name = 'PlatformAuthError' as const;
  readonly platform: string;
  /** The config key to fix, e.g. `telegram.token`. */
  readonly configKey: string;

  /** `platform` as people write it (`Telegram`), `detail` what it answered (`401 Unauthorized`). */
  constructor(platform: string, configKey: string, detail: string) {
    super(`${platform} refused the bot token (${detail}): check ${configKey}`);
    this.platform = platform;
    this.configKey = configKey;
  }
}

/** Charts cannot be drawn here: the native canvas module (or the chart library) failed to load. */
export class ChartsUnavailableError extends ChatopsError {
  override name = 'ChartsUnavailableError' as const;
  readonly reason: string;

  constructor(reason: string, opts: { cause?: unknown } = {}) {
    super(`charts are not available on this system: ${reason}`, { cause: opts.cause });
    this.reason = reason;
  }
}

/** Turns an unknown thrown value into a short, safe sentence for logs and chat. */
export function describeError(error: unknown): string {
  if (error instanceof ChatopsError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
