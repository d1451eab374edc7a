/**
 * A one-off probe of a bot's message websocket for `check-config`: does Freqtrade accept our
 * ws_token? A wrong token otherwise shows only as a log line at run time, and notifications
 * never come. Contract: shared/freqtrade-api-reference.md §1.6 (a refused token is a close with
 * 1008 before accept, which uvicorn turns into HTTP 403 at the upgrade).
 */
import WebSocket from 'ws';

export type WebsocketCheck =
  | { ok: true }
  | { ok: false; refused: true; status: number }
  | { ok: false; refused: false; reason: string };

/**
 * Opens `url`, closes it again, and says whether Freqtrade accepted it: refused (HTTP 401/403 at
 * the upgrade, or a 1008 close), or failed for another reason (no answer within `timeoutMs`,
 * connection refused, another HTTP status). The reason never carries the URL: its query holds the token.
 */
export function checkMessageWebsocket(url: string, timeoutMs: number): Promise<WebsocketCheck> {
  return new Promise((resolve) => {
    let settled = false;
    let ws: WebSocket | undefined;
    const finish = (result: WebsocketCheck) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws?.terminate();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, refused: false, reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    try {
      // No handshakeTimeout of its own: the timer above says what happened, in words.
      ws = new WebSocket(url);
    } catch {
      finish({ ok: false, refused: false, reason: 'invalid websocket URL' });
      return;
    }
    ws.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      finish(
        status === 401 || status === 403
          ? { ok: false, refused: true, status }
          : { ok: false, refused: false, reason: `HTTP ${status} at the upgrade` },
      );
    });
    ws.on('error', (error: NodeJS.ErrnoException) => {
      // ws puts the URL in some messages; the error code says enough without the token.
      const reason =
        error.code === 'ECONNREFUSED' ? 'connection refused' : (error.code ?? 'connection failed');
      finish({ ok: false, refused: false, reason });
    });
    ws.on('close', (code) => {
      finish(
        code === 1008
          ? { ok: false, refused: true, status: 1008 }
          : { ok: false, refused: false, reason: `closed with code ${code}` },
      );
    });
    ws.on('open', () => {
      // Freqtrade checks the token before it accepts (a refusal never gets this far), so an open
      // socket is the answer; nothing needs to be sent.
      finish({ ok: true });
    });
  });
}
