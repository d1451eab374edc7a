/** Messages between the memory scenario (parent, runs the fakes) and its child (runs only the app). */

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export type ParentMessage =
  | { kind: 'start'; config: Record<string, unknown>; events: number }
  | { kind: 'stop' };

export type ChildMessage =
  | { kind: 'loaded'; mem: MemorySample }
  | { kind: 'started'; mem: MemorySample; streams: number; targets: number }
  | { kind: 'routed'; mem: MemorySample; memAfterGc: MemorySample; routed: number; elapsedMs: number }
  | { kind: 'failed'; reason: string }
  | { kind: 'stopped' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isParentMessage(value: unknown): value is ParentMessage {
  return isRecord(value) && (value['kind'] === 'start' || value['kind'] === 'stop');
}

export function isChildMessage(value: unknown): value is ChildMessage {
  return (
    isRecord(value) &&
    typeof value['kind'] === 'string' &&
    ['loaded', 'started', 'routed', 'failed', 'stopped'].includes(value['kind'])
  );
}

/** Memory now, after a full GC when the process runs with --expose-gc. */
export function sampleMemory(collect: boolean): MemorySample {
  if (collect && typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external };
}
