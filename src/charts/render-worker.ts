/**
 * The chart worker thread: loads the drawer once, then draws one spec per `render` message and
 * sends the PNG back (its buffer transferred, not copied). Started by `renderer.ts` only; the main
 * thread's event loop never waits for chart.js or the canvas.
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { type ChartDrawer, loadChartDrawer } from './draw.js';
import type { FromRenderWorker, ToRenderWorker } from './render-protocol.js';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('render-worker.ts runs only as a worker thread');
  const post = (message: FromRenderWorker, transfer: ArrayBuffer[] = []): void =>
    port.postMessage(message, transfer);
  let draw: ChartDrawer;
  try {
    draw = await loadChartDrawer();
  } catch (error) {
    post({ type: 'unavailable', reason: describe(error) });
    return;
  }
  port.on('message', (message: ToRenderWorker) => {
    if (message.type !== 'render') return;
    try {
      const began = performance.now();
      const { png, width, height } = draw(message.spec);
      const drawMs = performance.now() - began;
      const bytes = new Uint8Array(png.buffer, png.byteOffset, png.byteLength).slice();
      post({ type: 'rendered', id: message.id, png: bytes, width, height, drawMs }, [bytes.buffer]);
    } catch (error) {
      post({ type: 'failed', id: message.id, message: describe(error) });
    }
  });
  post({ type: 'ready' });
}

void serve();
