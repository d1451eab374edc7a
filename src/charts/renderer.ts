/**
 * The chart renderer: draws `ChartSpec`s to PNGs in one long-lived worker thread, one chart at a
 * time. A chart holds the thread that draws it for 35-90 ms (bench/README.md), too long for the
 * bot's event loop, which also carries every notification; so the drawing happens in a worker.
 *
 * Lazy: nothing here loads chart.js or the native canvas. The worker, and with it both libraries,
 * start on the first `loadChartRenderer()` call. The worker's file is this folder's
 * `render-worker.ts` under tsx/vitest and the compiled `render-worker.js` in dist/.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ChartsUnavailableError, ChatopsError } from '../errors.js';
import type { RenderedChart } from './draw.js';
import type { FromRenderWorker, ToRenderWorker } from './render-protocol.js';
import type { ChartSpec } from './spec.js';

export type { RenderedChart } from './draw.js';

/** Larger PNGs are refused (Telegram takes photos up to 10 MB). */
export const MAX_CHART_BYTES = 10 * 1024 * 1024;

export interface ChartRenderer {
  /** Draws one chart: 1280×720 PNG on white. Renders are queued and run one at a time. */
  render(spec: ChartSpec): Promise<RenderedChart>;
  /** Stops the worker; a later `loadChartRenderer()` starts a new one. */
  close(): Promise<void>;
}

type Pending = { resolve: (chart: RenderedChart) => void; reject: (error: Error) => void };

/**
 * The worker's file next to this one, and how to start it. Compiled (dist/), `render-worker.js`
 * as is. Under tsx/vitest (`.ts`), a worker does not inherit the parent's module hooks on Node 20,
 * so a two-line bootstrap registers tsx's loader in the worker first, then imports the `.ts` file.
 */
function workerEntry(): { url: URL; execArgv: string[] } {
  const ownUrl = import.meta.url;
  if (!ownUrl.endsWith('.ts')) {
    return { url: new URL('./render-worker.js', ownUrl), execArgv: moduleExecArgv(process.execArgv) };
  }
  // tsx's ESM API (its `require` build of the same path cannot register from a data: URL).
  const tsxPackage = pathToFileURL(createRequire(ownUrl).resolve('tsx/package.json'));
  const tsxApi = new URL('./dist/esm/api/index.mjs', tsxPackage).href;
  const workerTs = new URL('./render-worker.ts', ownUrl).href;
  const bootstrap = [
    `const { register } = await import(${JSON.stringify(tsxApi)});`,
    'register();',
    `await import(${JSON.stringify(workerTs)});`,
  ].join('\n');
  return { url: new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), execArgv: [] };
}

const MODULE_FLAGS = [
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  '--conditions',
  '-C',
];

/**
 * The parent's module flags (preloads, loaders, conditions) for the worker. Not the rest: a
 * worker refuses per-process flags such as `npm start`'s `--max-semi-space-size`, and
 * `--input-type` would apply to the worker's file.
 */
export function moduleExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const arg = execArgv[index] ?? '';
    if (MODULE_FLAGS.includes(arg)) {
      kept.push(arg, execArgv[index + 1] ?? '');
      index++;
    } else if (MODULE_FLAGS.some((flag) => arg.startsWith(`${flag}=`))) {
      kept.push(arg);
    }
  }
  return kept;
}

class WorkerChartRenderer implements ChartRenderer {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Renders run one after another: each waits for the previous one's answer. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromRenderWorker) => this.onMessage(message));
    worker.on('error', (error) =>
      this.failAll(new ChatopsError(`the chart worker failed: ${error.message}`)),
    );
    worker.on('exit', (code) => {
      this.closed = true;
      this.failAll(new ChatopsError(`the chart worker stopped (exit code ${code})`));
    });
  }

  /** Starts the worker and waits until chart.js, the canvas and the fonts have loaded in it. */
  static async start(): Promise<WorkerChartRenderer> {
    const { url, execArgv } = workerEntry();
    let worker: Worker;
    try {
      worker = new Worker(url, { execArgv });
    } catch (error) {
      throw new ChartsUnavailableError(error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
    await new Promise<void>((resolve, reject) => {
      const unavailable = (reason: string, cause?: unknown): void => {
        cleanup();
        void worker.terminate();
        reject(new ChartsUnavailableError(reason, { cause }));
      };
      const onMessage = (message: FromRenderWorker): void => {
        if (message.type === 'ready') {
          cleanup();
          resolve();
        } else if (message.type === 'unavailable') {
          unavailable(message.reason);
        }
      };
      const onError = (error: Error): void => unavailable(error.message, error);
      const onExit = (code: number): void =>
        unavailable(`the chart worker exited (code ${code}) while loading`);
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    // Idle, the worker must not keep the process alive; `render` refs it while a chart is drawn.
    worker.unref();
    return new WorkerChartRenderer(worker);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  render(spec: ChartSpec): Promise<RenderedChart> {
    const rendered = this.queue.then(() => this.renderNow(spec));
    this.queue = rendered.catch(() => undefined);
    return rendered;
  }

  private renderNow(spec: ChartSpec): Promise<RenderedChart> {
    if (this.closed) return Promise.reject(new ChatopsError('the chart renderer is closed'));
    const id = this.nextId++;
    this.worker.ref();
    return new Promise<RenderedChart>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: ToRenderWorker = { type: 'render', id, spec };
      this.worker.postMessage(message);
    }).finally(() => {
      if (this.pending.size === 0 && !this.closed) this.worker.unref();
    });
  }

  private onMessage(message: FromRenderWorker): void {
    if (message.type !== 'rendered' && message.type !== 'failed') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'failed') {
      pending.reject(new ChatopsError(`the chart could not be drawn: ${message.message}`));
      return;
    }
    const png = Buffer.from(message.png.buffer, message.png.byteOffset, message.png.byteLength);
    if (png.byteLength > MAX_CHART_BYTES) {
      pending.reject(new ChatopsError(`the chart is too large (${png.byteLength} bytes)`));
      return;
    }
    pending.resolve({ png, width: message.width, height: message.height });
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new ChatopsError('the chart renderer is closed'));
    await this.worker.terminate();
  }
}

let shared: Promise<WorkerChartRenderer> | undefined;

/**
 * The process's chart renderer, started on the first call (later calls share it). Rejects with
 * `ChartsUnavailableError` when the native canvas or chart.js cannot load here; a later call
 * tries again.
 */
export function loadChartRenderer(): Promise<ChartRenderer> {
  const current = shared;
  if (current) {
    return current.then((renderer) => (renderer.isClosed ? restart() : renderer));
  }
  return restart();
}

function restart(): Promise<WorkerChartRenderer> {
  const starting = WorkerChartRenderer.start();
  shared = starting;
  starting.catch(() => {
    if (shared === starting) shared = undefined;
  });
  return starting;
}

/** Whether charts can be drawn on this system (for `check-config`); starts the renderer if it can. */
export async function chartsAvailable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await loadChartRenderer();
    return { ok: true };
  } catch (error) {
    if (error instanceof ChartsUnavailableError) return { ok: false, reason: error.reason };
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
