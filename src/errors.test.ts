import { describe, expect, it } from 'vitest';
import { classifyNetworkFailure, NetworkError } from './errors.js';

const systemError = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.1:8080`), { code });

describe('classifyNetworkFailure', () => {
  it.each([
    ['ECONNREFUSED', 'refused', 'connection refused'],
    ['ENOTFOUND', 'dns', 'host not found (DNS lookup failed)'],
    ['ECONNRESET', 'reset', 'connection reset'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout', 'connect timed out'],
    ['EHOSTUNREACH', 'unreachable', 'host unreachable'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls', 'TLS handshake failed (ERR_TLS_CERT_ALTNAME_INVALID)'],
    ['EWHATEVER', 'other', 'request failed (EWHATEVER)'],
  ])('reads %s from the cause chain as %s', (code, kind, reason) => {
    // fetch wraps the system error: TypeError('fetch failed', { cause })
    const error = new TypeError('fetch failed', { cause: systemError(code) });
    expect(classifyNetworkFailure(error)).toEqual({ kind, reason });
  });

  it('finds the code inside an AggregateError (IPv4 and IPv6 both refused)', () => {
    const error = new TypeError('fetch failed', {
      cause: new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')]),
    });
    expect(classifyNetworkFailure(error).kind).toBe('refused');
  });

  it('never copies a message, which may hold a URL with credentials', () => {
    const error = new Error('GET http://user:secret@host/ failed');
    expect(classifyNetworkFailure(error)).toEqual({ kind: 'other', reason: 'request failed' });
  });
});

describe('NetworkError.neverArrived', () => {
  const make = (kind: NetworkError['kind']) =>
    new NetworkError({
      service: 'main',
      method: 'POST',
      url: 'http://127.0.0.1/api/v1/forceexit',
      kind,
      reason: kind,
    });
  it('is true only when the request cannot have reached the service', () => {
    expect(
      ['refused', 'dns', 'tls', 'unreachable'].every(
        (kind) => make(kind as NetworkError['kind']).neverArrived,
      ),
    ).toBe(true);
    expect(
      ['reset', 'timeout', 'other'].some((kind) => make(kind as NetworkError['kind']).neverArrived),
    ).toBe(false);
  });
});
