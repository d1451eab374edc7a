/**
 * Reading the `Authorization` header the way FastAPI's `HTTPBasic` and `OAuth2PasswordBearer`
 * do in Freqtrade's `api_auth.py`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type ParsedAuthorization =
  | { scheme: 'basic'; username: string; password: string }
  /** A Basic header whose base64 is invalid, lacks `:` or is not ASCII. */
  | { scheme: 'basic-invalid' }
  | { scheme: 'bearer'; token: string }
  /** No header, an empty Bearer token, or another scheme. */
  | { scheme: 'none' };

/** Python's `base64.b64decode` (non-alphabet characters dropped, padding required) + ASCII decode. */
function decodeBasicParam(param: string): string | undefined {
  const cleaned = param.replace(/[^A-Za-z0-9+/=]/g, '');
  if (cleaned.length % 4 !== 0 || /=[^=]/.test(cleaned)) return undefined;
  const bytes = Buffer.from(cleaned, 'base64');
  if (bytes.some((b) => b > 127)) return undefined;
  return bytes.toString('ascii');
}

/** The credentials an `Authorization` header carries (scheme names are case-insensitive). */
export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (!header) return { scheme: 'none' };
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const param = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'bearer') return param ? { scheme: 'bearer', token: param } : { scheme: 'none' };
  if (scheme !== 'basic') return { scheme: 'none' };
  const decoded = decodeBasicParam(param);
  const colon = decoded?.indexOf(':') ?? -1;
  if (decoded === undefined || colon < 0) return { scheme: 'basic-invalid' };
  return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Constant-time string comparison (`secrets.compare_digest`). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
