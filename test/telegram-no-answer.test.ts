import { createServer, request as httpRequest, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, until } from './support/harness.js';

/**
 * A proxy in front of the fake Freqtrade that passes everything through, except that it forwards
 * POST /forceexit and then never answers: the order is placed, the caller hears nothing.
 */
function startSilentProxy(target: string): Promise<{ url: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (upstreamRes) => {
          if (req.method === 'POST' && req.url?.startsWith('/api/v1/forceexit')) {
            upstreamRes.resume();
            return; // swallow the answer
          }
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forward.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, server });
    }),
  );
}

let harness: Harness | undefined;
let proxy: Server | undefined;
afterEach(async () => {
  proxy?.closeAllConnections();
  proxy?.close();
  await harness?.close();
  harness = undefined;
  proxy = undefined;
});

describe('a state-changing call that gets no answer', () => {
  it('says the order may have been placed instead of "unreachable", and is not retried', async () => {
    harness = await startHarness();
    const started = await startSilentProxy(harness.freqtrade.url);
    proxy = started.server;
    // Restart the app against the proxy with a short timeout.
    await harness.app.stop();
    const { startApp } = await import('../src/main.js');
    const { createSilentLogger } = await import('../src/logger.js');
    const bots = harness.config.bots.map((bot) => ({ ...bot, api_url: started.url, timeout_ms: 800 }));
    harness.app = await startApp({ config: { ...harness.config, bots }, logger: createSilentLogger() });

    const id = harness.freqtrade.addTrade({ pair: 'BTC/USDT', openRate: 100, currentRate: 101 });
    const [prompt] = await harness.say(`/forceexit ${id}`);
    await harness.press(prompt!, 'Confirm');
    await until(
      () => /did not answer/.test(harness!.telegram.message(prompt!.chat_id, prompt!.message_id)?.text ?? ''),
      5000,
      'the no-answer message',
    );
    const text = harness.telegram.message(prompt!.chat_id, prompt!.message_id)?.text ?? '';
    expect(text).toContain('main did not answer /forceexit');
    expect(text).toContain('check /status before trying again');
    expect(text).not.toContain('unreachable');
    // Freqtrade did act, exactly once.
    expect(harness.freqtrade.requests.filter((r) => r.path === '/forceexit')).toHaveLength(1);
    expect(harness.freqtrade.state.trades.find((t) => t.id === id)?.isOpen).toBe(false);
  });
});
