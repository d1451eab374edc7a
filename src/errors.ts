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

/** No answer came: connection refused, reset, DNS failure or timeout. */
export class NetworkError extends ChatopsError {
  override name = 'NetworkError' as const;
  readonly service: string;
  readonly method: string;
  /** The URL without query string or credentials. */
  readonly url: string;
  /** A short cause, e.g. "connection refused" or "timed out after 10000 ms". */
  readonly reasonText: string;

  constructor(opts: { service: string; method: string; url: string; reason: string; cause?: unknown }) {
    super(`${opts.service} is unreachable (${opts.reason} at ${opts.url})`, { cause: opts.cause });
    this.service = opts.service;
    this.method = opts.method;
    this.url = opts.url;
    this.reasonText = opts.reason;
  }
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

/** Turns an unknown thrown value into a short, safe sentence for logs and chat. */
export function describeError(error: unknown): string {
  if (error instanceof ChatopsError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
