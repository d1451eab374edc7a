import { createHmac } from 'node:crypto';

/**
 * Gemini private-API signing (https://docs.gemini.com/rest/authentication):
 * payload = base64(utf8(JSON)), signature = hex(HMAC-SHA384(secret, payload)).
 * The base64 string is what gets signed, not the raw JSON (a widely read tutorial gets this wrong).
 */

/** The headers Gemini expects on every private call; the body stays empty. */
export interface GeminiSignedRequest {
  /** The base64 payload, exactly as sent in `X-GEMINI-PAYLOAD`. */
  payload: string;
  /** Lower-case hex HMAC-SHA384 of `payload`, keyed with the API secret. */
  signature: string;
  headers: Record<string, string>;
}

/** Returns the base64 encoding of a JSON text's UTF-8 bytes, the form Gemini signs and sends. */
export function encodeGeminiPayload(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64');
}

/** Returns hex(HMAC-SHA384(apiSecret, payloadBase64)); the base64 text is signed as is, never re-encoded. */
export function signGeminiPayload(payloadBase64: string, apiSecret: string): string {
  return createHmac('sha384', apiSecret).update(payloadBase64, 'utf8').digest('hex');
}

/**
 * Returns the base64 payload, its signature and the six headers Gemini expects for `payload`
 * (which must already carry `request` and `nonce`). `Content-Length: 0` is included as Gemini
 * documents it, but a fetch-based sender must drop it and send an empty body instead: Node's
 * fetch refuses a hand-set Content-Length and sets `0` itself for an empty POST.
 */
export function signGeminiRequest(
  payload: Record<string, unknown>,
  apiKey: string,
  apiSecret: string,
): GeminiSignedRequest {
  const payloadBase64 = encodeGeminiPayload(JSON.stringify(payload));
  const signature = signGeminiPayload(payloadBase64, apiSecret);
  return {
    payload: payloadBase64,
    signature,
    headers: {
      'Content-Type': 'text/plain',
      'Content-Length': '0',
      'X-GEMINI-APIKEY': apiKey,
      'X-GEMINI-PAYLOAD': payloadBase64,
      'X-GEMINI-SIGNATURE': signature,
      'Cache-Control': 'no-cache',
    },
  };
}
