/**
 * The pipeline scenario's child process: runs the fake Freqtrade and the instant Bot API server,
 * and nothing else, so their work (JSON encoding, websocket sends, HTTP parsing, answers, GC) does
 * not compete with the app's event loop in the parent. Driven over IPC (pipeline-protocol.ts):
 * emits `exit` frames at the requested rate, stamps each one right before `emit` and each
 * sendMessage as its body arrives, and hands both arrays back once the run is over.
 */
import { startFakeFreqtrade } from '../test/fakes/fake-freqtrade.js';
import { startInstantTelegram } from './instant-telegram.js';
import {
  absoluteNow,
  type DriveRequest,
  isPipelineParentMessage,
  type PipelineChildMessage,
} from './pipeline-protocol.js';
import { exitFrame, type LoadReport, seqsIn, startLoadMeter, until } from './support.js';

const reply = (message: PipelineChildMessage): void => {
  process.send?.(message);
};
const failed = (error: unknown): void => {
  reply({ kind: 'failed', reason: error instanceof Error ? error.message : String(error) });
};

const freqtrade = await startFakeFreqtrade();
const telegram = await startInstantTelegram();

const totalEvents = (request: DriveRequest): number =>
  Math.ceil((request.ratePerS * (request.warmupMs + request.measureMs)) / 1000);

/** Emits frames at `ratePerS` (catching up every ≥1 ms tick) and records every sendMessage. */
async function drive(request: DriveRequest): Promise<Extract<PipelineChildMessage, { kind: 'driven' }>> {
  const total = totalEvents(request);
  const sentAt = new Float64Array(total + 1).fill(Number.NaN);
  const receivedAt = new Float64Array(total + 1).fill(Number.NaN);
  let received = 0;
  let mergedMessages = 0;
  telegram.onSend = ({ at, text }) => {
    const seqs = seqsIn(text);
    if (seqs.length > 1) mergedMessages += 1;
    for (const seq of seqs) {
      if (seq >= 1 && seq <= total && Number.isNaN(receivedAt[seq] as number)) {
        receivedAt[seq] = at;
        received += 1;
      }
    }
  };

  const start = absoluteNow();
  const measuredFrom = start + request.warmupMs;
  let stopMeter: (() => LoadReport) | undefined;
  await new Promise<void>((resolve) => {
    let emitted = 0;
    const tick = (): void => {
      if (!stopMeter && absoluteNow() >= measuredFrom) {
        stopMeter = startLoadMeter();
        reply({ kind: 'measuring' });
      }
      const due = Math.min(total, Math.floor(((absoluteNow() - start) * request.ratePerS) / 1000) + 1);
      while (emitted < due) {
        emitted += 1;
        const seq = emitted;
        sentAt[seq] = absoluteNow();
        freqtrade.emit(exitFrame(seq, (seq - 1) % request.chats));
      }
      if (emitted < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await until(() => received >= total, request.drainTimeoutMs, 'every event to reach the API').catch(
    () => undefined,
  );
  if (!stopMeter) reply({ kind: 'measuring' });
  const load = (stopMeter ?? startLoadMeter())();
  telegram.onSend = undefined;
  return { kind: 'driven', sentAt, receivedAt, measuredFrom, mergedMessages, load };
}

process.on('message', (message: unknown) => {
  if (!isPipelineParentMessage(message)) return;
  switch (message.kind) {
    case 'ping':
      reply({ kind: 'pong', t0: message.t0, child: absoluteNow() });
      return;
    case 'await-subscribed':
      until(
        () => freqtrade.wsConsumers().some((consumer) => consumer.subscribed.includes('exit')),
        message.timeoutMs,
        'subscription',
      ).then(() => reply({ kind: 'subscribed' }), failed);
      return;
    case 'drive':
      drive(message).then(reply, failed);
      return;
    case 'stop':
      void closeFakes().then(() => {
        reply({ kind: 'stopped' });
        process.disconnect();
      });
      return;
  }
});

let closing: Promise<void> | undefined;
/** Closes both fakes once (their listening sockets are all that keeps this process alive). */
function closeFakes(): Promise<void> {
  closing ??= (async () => {
    await telegram.close();
    await freqtrade.close();
  })();
  return closing;
}

// The parent went away (its own exit, or after `stop`): never outlive it as an orphan.
process.on('disconnect', () => {
  void closeFakes().finally(() => process.exit(0));
});

reply({ kind: 'ready', freqtradeUrl: freqtrade.url, apiRoot: telegram.apiRoot, token: telegram.token });
