/** The messages between `renderer.ts` and `render-worker.ts`. Plain data (structured clone). */
import type { ChartSpec } from './spec.js';

export type ToRenderWorker = { type: 'render'; id: number; spec: ChartSpec };

export type FromRenderWorker =
  /** The drawer loaded (fonts registered); or it failed, with why. */
  | { type: 'ready' }
  | { type: 'unavailable'; reason: string }
  | { type: 'rendered'; id: number; png: Uint8Array; width: number; height: number; drawMs: number }
  | { type: 'failed'; id: number; message: string };
