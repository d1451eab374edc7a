import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FORCED_EXIT_STATUS, installStopSignals } from '../src/stop-signals.js';

/** installStopSignals on an EventEmitter standing in for the process, with exits recorded. */
function setup(options: { interactive: boolean; hardLimitMs?: number; finished?: () => number | undefined }) {
  const target = new EventEmitter();
  const err = new PassThrough();
  let written = '';
  err.on('data', (chunk) => {
    written += String(chunk);
  });
  const exits: number[] = [];
  let onExit: (status: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    onExit = resolve;
  });
  const signals = installStopSignals({
    interactive: options.interactive,
    err,
    hardLimitMs: options.hardLimitMs ?? 60_000,
    finishedStatus: options.finished ?? (() => undefined),
    exit: (status) => {
      exits.push(status);
      onExit(status);
    },
    target,
  });
  return { target, signals, exits, exited, written: () => written };
}

describe('stop signals', () => {
  it('resolves with the first signal and ignores repeated SIGTERMs', async () => {
    const { target, signals, exits } = setup({ interactive: false });
    expect(signals.received()).toBeUndefined();
    target.emit('SIGTERM', 'SIGTERM');
    target.emit('SIGTERM', 'SIGTERM');
    target.emit('SIGINT', 'SIGINT');
    expect(await signals.first).toBe('SIGTERM');
    expect(signals.received()).toBe('SIGTERM');
    expect(exits).toEqual([]);
    // Still listening: a signal during the stop never finds the process without a listener.
    expect(target.listenerCount('SIGTERM')).toBe(1);
    expect(target.listenerCount('SIGINT')).toBe(1);
  });

  it('exits at once on a second Ctrl-C in a terminal, saying so', async () => {
    const { target, signals, exited, written } = setup({ interactive: true });
    target.emit('SIGINT', 'SIGINT');
    expect(await signals.first).toBe('SIGINT');
    target.emit('SIGINT', 'SIGINT');
    expect(await exited).toBe(FORCED_EXIT_STATUS);
    expect(written()).toContain('Second Ctrl-C: exiting now');
  });

  it('ignores a second SIGTERM in a terminal: only Ctrl-C forces', async () => {
    const { target, exits } = setup({ interactive: true });
    target.emit('SIGINT', 'SIGINT');
    target.emit('SIGTERM', 'SIGTERM');
    expect(exits).toEqual([]);
  });

  it('exits with 1 when the stop overruns its limit, saying so', async () => {
    const { target, exited, written } = setup({ interactive: false, hardLimitMs: 20 });
    target.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(1);
    expect(written()).toContain('still stopping 20 ms after SIGTERM');
  });

  it('exits with the program’s own status when it finished but something held the process', async () => {
    const { target, exited, written } = setup({ interactive: false, hardLimitMs: 20, finished: () => 0 });
    target.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(0);
    expect(written()).toBe('');
  });
});
