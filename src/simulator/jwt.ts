/**
 * HS256 JSON Web Tokens as Freqtrade's `create_token` issues them (PyJWT): header
 * `{"alg":"HS256","typ":"JWT"}`, claims `{identity: {u}, exp, iat, type}` with times in seconds.
 * Verification checks the signature and `exp` against a caller-supplied clock (the fake's clock).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export type TokenType = 'access' | 'refresh';

export interface TokenClaims {
  identity: { u: string };
  exp: number;
  iat: number;
  type: TokenType;
}

const claimsSchema = z.object({
  identity: z.object({ u: z.string() }),
  exp: z.number(),
  iat: z.number(),
  type: z.enum(['access', 'refresh']),
});

const headerSchema = z.object({ alg: z.literal('HS256') });

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

function sign(input: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

/** A signed token for `username`, valid `ttlS` seconds from `nowMs`. */
export function createToken(opts: {
  username: string;
  type: TokenType;
  ttlS: number;
  nowMs: number;
  secret: string;
}): string {
  const iat = Math.floor(opts.nowMs / 1000);
  // Same claim order as PyJWT's output: data, then exp, iat, type.
  const claims: TokenClaims = { identity: { u: opts.username }, exp: iat + opts.ttlS, iat, type: opts.type };
  const head = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return `${head}.${sign(head, opts.secret).toString('base64url')}`;
}

function parseJsonSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The claims of `token` when it is well formed, signed with `secret`, of `expectedType` and not
 * expired at `nowMs` (PyJWT: expired once `exp <= now`); `undefined` otherwise.
 */
export function verifyToken(
  token: string,
  opts: { secret: string; nowMs: number; expectedType: TokenType },
): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  if (!headerSchema.safeParse(parseJsonSegment(headerPart)).success) return undefined;
  const expected = sign(`${headerPart}.${payloadPart}`, opts.secret);
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = claimsSchema.safeParse(parseJsonSegment(payloadPart));
  if (!claims.success) return undefined;
  if (claims.data.exp <= opts.nowMs / 1000) return undefined;
  if (claims.data.type !== opts.expectedType) return undefined;
  return claims.data;
}
