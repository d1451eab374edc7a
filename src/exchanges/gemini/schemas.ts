import { z } from 'zod';

/*
 * Gemini response bodies. Money stays a decimal string end to end: Gemini sends balance amounts
 * as strings although its docs call them numbers, so both are accepted, and `quoteJsonNumbers`
 * runs over the raw text before JSON.parse so a bare number is never rounded through a float.
 */

const DECIMAL_LITERAL = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Returns a JSON text in which every bare number literal is wrapped in quotes (string contents
 * untouched), so `JSON.parse` keeps its exact digits. Invalid JSON stays invalid.
 */
export function quoteJsonNumbers(text: string): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '"') {
      const end = endOfJsonString(text, index);
      out += text.slice(index, end);
      index = end;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      const match = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(index, index + 400));
      const literal = match?.[0] ?? char;
      out += match ? `"${literal}"` : literal;
      index += literal.length;
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

/** Returns the index just past the closing quote of the JSON string starting at `start` (or the end of text). */
function endOfJsonString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if (char === '\\') index += 2;
    else if (char === '"') return index + 1;
    else index += 1;
  }
  return text.length;
}

/**
 * Returns a decimal literal without an exponent (`"1.5e-7"` → `"0.00000015"`), digits unchanged;
 * a literal without an exponent comes back as is (trailing zeros kept).
 */
export function toPlainDecimal(literal: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?[eE]([+-]?\d+)$/.exec(literal);
  if (!match) return literal;
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponentText);
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
  const trimmed = plain.replace(/^0+(?=\d)/, '');
  return `${sign}${trimmed}`;
}

/** A decimal amount as an exact string; a JSON number is accepted too (already rounded by then). */
export const decimalStringSchema = z
  .union([
    z.string().trim().regex(DECIMAL_LITERAL, 'expected a decimal amount such as "1154.62034001"'),
    z.number().finite(),
  ])
  .transform((value) => toPlainDecimal(String(value)));

export const geminiBalanceSchema = z.object({
  /** Always "exchange" for spot balances. */
  type: z.string(),
  currency: z.string().min(1),
  amount: decimalStringSchema,
  available: decimalStringSchema,
  availableForWithdrawal: decimalStringSchema,
});
export type GeminiBalance = z.infer<typeof geminiBalanceSchema>;

export const geminiNotionalBalanceSchema = geminiBalanceSchema.extend({
  amountNotional: decimalStringSchema,
  availableNotional: decimalStringSchema,
  availableForWithdrawalNotional: decimalStringSchema,
});
export type GeminiNotionalBalance = z.infer<typeof geminiNotionalBalanceSchema>;

export const geminiBalancesSchema = z.array(geminiBalanceSchema);
export const geminiNotionalBalancesSchema = z.array(geminiNotionalBalanceSchema);

export const geminiHeartbeatSchema = z.object({ result: z.literal('ok') });

const integerSchema = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(Number);

/** `/v1/pubticker/:symbol`: `volume` holds one decimal per currency plus a millisecond timestamp. */
export const geminiTickerSchema = z
  .object({
    bid: decimalStringSchema,
    ask: decimalStringSchema,
    last: decimalStringSchema,
    volume: z.record(z.string(), z.unknown()),
  })
  .transform((raw, ctx) => {
    const { timestamp, ...amounts } = raw.volume;
    const timestampMs = integerSchema.safeParse(timestamp);
    if (!timestampMs.success) {
      ctx.addIssue({
        code: 'custom',
        path: ['volume', 'timestamp'],
        message: 'expected a millisecond timestamp',
      });
      return z.NEVER;
    }
    const volume: Record<string, string> = {};
    for (const [currency, amount] of Object.entries(amounts)) {
      const parsed = decimalStringSchema.safeParse(amount);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', path: ['volume', currency], message: 'expected a decimal amount' });
        return z.NEVER;
      }
      volume[currency] = parsed.data;
    }
    return { bid: raw.bid, ask: raw.ask, last: raw.last, volume, volumeTimestampMs: timestampMs.data };
  });
export type GeminiTicker = z.infer<typeof geminiTickerSchema>;

/** The body of every Gemini error response. */
export const geminiErrorBodySchema = z.object({
  result: z.literal('error'),
  reason: z.string(),
  message: z.string().optional(),
});
export type GeminiErrorBody = z.infer<typeof geminiErrorBodySchema>;
