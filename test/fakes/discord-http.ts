/**
 * HTTP plumbing for the fake Discord (`./fake-discord.ts`): request bodies (JSON or the multipart form
 * discord.js sends with files: `payload_json` plus `files[n]`), route patterns, rate-limit headers.
 */
import type { IncomingMessage } from 'node:http';
import { isRecord } from './discord-validate.js';

const MAX_BODY_BYTES = 25 * 1024 * 1024;

export interface UploadedFile {
  /** The form field, e.g. `files[0]`. */
  field: string;
  filename: string;
  contentType: string;
  size: number;
  /** The uploaded bytes, exactly as sent. */
  data: Buffer;
}

export type ParsedBody =
  | { ok: true; json: unknown; files: UploadedFile[] }
  | { ok: false; reason: 'too-large' | 'invalid-json' };

async function readBytes(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Fields of a multipart/form-data body: text fields as strings, file parts as `UploadedFile`. */
function parseMultipart(
  body: Buffer,
  boundary: string,
): { fields: Map<string, string>; files: UploadedFile[] } {
  const fields = new Map<string, string>();
  const files: UploadedFile[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2); // CRLF after this delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1] ?? 'application/octet-stream';
      if (name !== undefined && filename !== undefined) {
        files.push({ field: name, filename, contentType, size: content.length, data: Buffer.from(content) });
      } else if (name !== undefined) {
        fields.set(name, content.toString('utf8'));
      }
    }
    start = next;
  }
  return { fields, files };
}

/** Reads and parses a request body; an empty body parses as `undefined`. */
export async function readRequestBody(req: IncomingMessage): Promise<ParsedBody> {
  const bytes = await readBytes(req);
  if (!bytes) return { ok: false, reason: 'too-large' };
  const contentType = req.headers['content-type'] ?? '';
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (contentType.toLowerCase().startsWith('multipart/form-data') && boundary) {
    const { fields, files } = parseMultipart(bytes, boundary[1] ?? boundary[2] ?? '');
    const payload = fields.get('payload_json');
    let json: unknown = Object.fromEntries(fields);
    if (payload !== undefined) {
      try {
        json = JSON.parse(payload);
      } catch {
        return { ok: false, reason: 'invalid-json' };
      }
    }
    return { ok: true, json, files };
  }
  if (bytes.length === 0) return { ok: true, json: undefined, files: [] };
  try {
    return { ok: true, json: JSON.parse(bytes.toString('utf8')), files: [] };
  } catch {
    return { ok: false, reason: 'invalid-json' };
  }
}

/** A route such as `/channels/:channel/messages/:message`; `:name` matches one path segment. */
export function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < want.length; index++) {
    const expected = want[index] ?? '';
    const actual = got[index] ?? '';
    if (expected.startsWith(':')) {
      if (actual.length === 0) return undefined;
      params[expected.slice(1)] = decodeURIComponent(actual);
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

/**
 * Whether a failure rule applies to a request. A RegExp is tested against `"METHOD /path"`; a string is
 * `'*'` (everything), or `"[METHOD ]/path/pattern"` with `:name` segments, e.g. `'POST /channels/:id/messages'`.
 * Paths are relative to `/api/v10` and carry no query string.
 */
export function routeMatches(rule: string | RegExp, method: string, path: string): boolean {
  if (rule instanceof RegExp) {
    rule.lastIndex = 0;
    return rule.test(`${method} ${path}`);
  }
  if (rule === '*') return true;
  const space = rule.indexOf(' ');
  if (space !== -1) {
    const ruleMethod = rule.slice(0, space).toUpperCase();
    if (ruleMethod !== method) return false;
    return matchPattern(rule.slice(space + 1).trim(), path) !== undefined;
  }
  return matchPattern(rule, path) !== undefined;
}

/** A stable hex "bucket hash" for a route template, like Discord's opaque `x-ratelimit-bucket`. */
export function bucketHash(key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let index = 0; index < key.length; index++) {
    const code = key.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ code, 0x5bd1e995) >>> 0;
  }
  return `${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}

/** Per-bucket request windows behind the `x-ratelimit-*` headers of successful answers. */
export class RateLimitBuckets {
  private readonly windows = new Map<string, { resetAt: number; used: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one request in `bucket` (route + major parameter) and returns its headers. */
  take(bucket: string, hash: string, now: number): Record<string, string> {
    let window = this.windows.get(bucket);
    if (!window || window.resetAt <= now) {
      window = { resetAt: now + this.windowMs, used: 0 };
      this.windows.set(bucket, window);
    }
    window.used += 1;
    return this.headers(window.resetAt, Math.max(0, this.limit - window.used), hash, now);
  }

  /** Headers of a 429 for `bucket`: nothing remaining until `retryAfterS` from now. */
  exhausted(hash: string, retryAfterS: number, now: number): Record<string, string> {
    return this.headers(now + retryAfterS * 1000, 0, hash, now);
  }

  private headers(resetAt: number, remaining: number, hash: string, now: number): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': (resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': ((resetAt - now) / 1000).toFixed(3),
      'x-ratelimit-bucket': hash,
    };
  }
}

/** The JSON object in a request body, or an empty object for anything else. */
export function bodyRecord(json: unknown): Record<string, unknown> {
  return isRecord(json) ? json : {};
}
