import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeGeminiPayload, signGeminiPayload, signGeminiRequest } from './signer.js';

// Gemini's published test vector (docs.gemini.com, "Private API invocation").
const VECTOR_SECRET = '1234abcd';
const VECTOR_PAYLOAD =
  'ewogICAgInJlcXVlc3QiOiAiL3YxL29yZGVyL3N0YXR1cyIsCiAgICAibm9uY2UiOiAxMjM0NTYsCgogICAgIm9yZGVyX2lkIjogMTg4MzQKfQo=';
const VECTOR_SIGNATURE =
  '337cc8b4ea692cfe65b4a85fcc9f042b2e3f702ac956fd098d600ab15705775017beae402be773ceee10719ff70d710f';
const VECTOR_JSON =
  '{\n    "request": "/v1/order/status",\n    "nonce": 123456,\n\n    "order_id": 18834\n}\n';

describe('Gemini signer', () => {
  it('reproduces the published test vector byte for byte', () => {
    expect(signGeminiPayload(VECTOR_PAYLOAD, VECTOR_SECRET)).toBe(VECTOR_SIGNATURE);
  });

  it('encodes the pretty-printed vector JSON to exactly the published base64 payload', () => {
    expect(encodeGeminiPayload(VECTOR_JSON)).toBe(VECTOR_PAYLOAD);
    expect(signGeminiPayload(encodeGeminiPayload(VECTOR_JSON), VECTOR_SECRET)).toBe(VECTOR_SIGNATURE);
  });

  it('does not match the vector when the raw JSON is signed (the tutorial mistake)', () => {
    const overRawJson = createHmac('sha384', VECTOR_SECRET).update(VECTOR_JSON).digest('hex');
    expect(overRawJson).not.toBe(VECTOR_SIGNATURE);
  });

  it('signs the base64 payload of the JSON and returns it with the six Gemini headers', () => {
    const payload = { request: '/v1/balances', nonce: 1_700_000_000_123, account: 'primary' };
    const signed = signGeminiRequest(payload, 'account-abc', 'secret-xyz');

    expect(JSON.parse(Buffer.from(signed.payload, 'base64').toString('utf8'))).toEqual(payload);
    expect(signed.payload).toBe(Buffer.from(JSON.stringify(payload)).toString('base64'));
    expect(signed.signature).toBe(createHmac('sha384', 'secret-xyz').update(signed.payload).digest('hex'));
    expect(signed.signature).toMatch(/^[0-9a-f]{96}$/);
    expect(signed.headers).toEqual({
      'Content-Type': 'text/plain',
      'Content-Length': '0',
      'X-GEMINI-APIKEY': 'account-abc',
      'X-GEMINI-PAYLOAD': signed.payload,
      'X-GEMINI-SIGNATURE': signed.signature,
      'Cache-Control': 'no-cache',
    });
  });

  it('keeps non-ASCII text intact by encoding UTF-8 bytes', () => {
    const signed = signGeminiRequest({ request: '/v1/balances', nonce: 1, account: 'café' }, 'k', 's');
    expect(Buffer.from(signed.payload, 'base64').toString('utf8')).toContain('café');
  });

  it('gives a different signature for a different nonce', () => {
    const a = signGeminiRequest({ request: '/v1/balances', nonce: 1 }, 'k', 's');
    const b = signGeminiRequest({ request: '/v1/balances', nonce: 2 }, 'k', 's');
    expect(a.signature).not.toBe(b.signature);
  });
});
