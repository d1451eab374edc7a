/**
 * Scenario (c): memory of the app with 10 bots and 1,000 chats configured, after start and after
 * 10,000 events routed. The fakes (10 Freqtrades, 1 Telegram) run here; the app runs alone in a
 * child process (memory-child.ts) so its RSS and heap are not mixed with the fakes'.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type FakeFreqtrade, startFakeFreqtrade } from '../test/fakes/fake-freqtrade.js';
import { startFakeTelegram } from '../test/fakes/fake-telegram.js';
import {
  type ChildMessage,
  isChildMessage,
  type MemorySample,
  type ParentMessage,
} from './memory-protocol.js';
import { exitFrame, nextChildMessage, privateChatIds, rawBenchConfig, until } from './support.js';

export interface MemoryResult {
  bots: number;
  chats: number;
  events: number;
  loaded: MemorySample;
  started: MemorySample;
  routed: MemorySample;
  routedAfterGc: MemorySample;
  routeElapsedMs: number;
}

type Kind = ChildMessage['kind'];

/** The child's next message of `kind` (see nextChildMessage). */
function nextMessage<K extends Kind>(
  child: ChildProcess,
  kind: K,
  timeoutMs: number,
): Promise<Extract<ChildMessage, { kind: K }>> {
  return nextChildMessage(child, isChildMessage, 'memory child', kind, timeoutMs);
}

export async function memory(options: {
  storePath: string;
  bots: number;
  chats: number;
  events: number;
}): Promise<MemoryResult> {
  const freqtrades: FakeFreqtrade[] = [];
  for (let i = 0; i < options.bots; i += 1) freqtrades.push(await startFakeFreqtrade({ botName: `bot${i}` }));
  const telegram = await startFakeTelegram({ rateLimits: false });
  const child = fork(fileURLToPath(new URL('./memory-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const send = (message: ParentMessage): void => {
    child.send(message);
  };
  try {
    const loaded = await nextMessage(child, 'loaded', 20_000);
    send({
      kind: 'start',
      events: options.events,
      config: rawBenchConfig({
        bots: freqtrades.map((fake, i) => ({ name: `bot${i}`, url: fake.url })),
        telegram: { token: telegram.token, apiRoot: telegram.apiRoot },
        chatIds: privateChatIds(options.chats),
        storePath: options.storePath,
      }),
    });
    const started = await nextMessage(child, 'started', 20_000);
    await until(
      () =>
        freqtrades.every((fake) =>
          fake.wsConsumers().some((consumer) => consumer.subscribed.includes('exit')),
        ),
      10_000,
      'every bot to have a subscriber',
    );
    const routedPromise = nextMessage(child, 'routed', 30_000);
    // Event k of every bot goes to chat (bot·perBot + k) mod chats: 10 per chat with the defaults.
    const perBot = Math.ceil(options.events / options.bots);
    let seq = 0;
    for (let k = 0; k < perBot; k += 1) {
      for (let b = 0; b < options.bots && seq < options.events; b += 1) {
        seq += 1;
        freqtrades[b]?.emit(exitFrame(seq, (b * perBot + k) % options.chats));
      }
      // Yield now and then so the sockets drain while the child routes.
      if (k % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    const routed = await routedPromise;
    return {
      bots: options.bots,
      chats: started.targets,
      events: routed.routed,
      loaded: loaded.mem,
      started: started.mem,
      routed: routed.mem,
      routedAfterGc: routed.memAfterGc,
      routeElapsedMs: routed.elapsedMs,
    };
  } finally {
    if (child.connected) {
      send({ kind: 'stop' });
      await nextMessage(child, 'stopped', 10_000).catch(() => undefined);
    }
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // The child disconnects after stopping; nothing keeps it alive.
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill();
    }
    await telegram.close();
    for (const fake of freqtrades) await fake.close();
  }
}
