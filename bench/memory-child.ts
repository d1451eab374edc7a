/**
 * The memory scenario's child process: runs the real app (startApp) and nothing else, so its RSS
 * and heap are the app's own, not the fakes'. Driven by the parent over IPC (memory-protocol.ts).
 */
import { parseAppConfig } from '../src/main.js';
import { enabledTelegram } from '../src/telegram/config.js';
import { type App, startApp } from '../src/main.js';
import { type ChildMessage, isParentMessage, sampleMemory } from './memory-protocol.js';
import { createSinkLogger, until } from './support.js';

const reply = (message: ChildMessage): void => {
  process.send?.(message);
};

let app: App | undefined;

process.on('message', (message: unknown) => {
  if (!isParentMessage(message)) return;
  if (message.kind === 'stop') {
    void (async () => {
      await app?.stop();
      reply({ kind: 'stopped' });
      process.disconnect();
    })();
    return;
  }
  void (async () => {
    try {
      const sink = createSinkLogger();
      const config = parseAppConfig(message.config, 'bench');
      const started = await startApp({ config, logger: sink.logger, storePath: null });
      app = started;
      await until(
        () => started.streams.every((stream) => stream.state() === 'open'),
        15_000,
        'every websocket to open',
      );
      // Count events as the streams hand them to the notifier (route + format + enqueue).
      const handle = started.notifier.handle.bind(started.notifier);
      let routed = 0;
      let firstAt = 0;
      started.notifier.handle = (event) => {
        if (event.type === 'exit' && routed === 0) firstAt = performance.now();
        handle(event);
        if (event.type !== 'exit') return;
        routed += 1;
        if (routed === message.events) {
          const elapsedMs = performance.now() - firstAt;
          const mem = sampleMemory(false);
          const memAfterGc = sampleMemory(true);
          reply({ kind: 'routed', mem, memAfterGc, routed, elapsedMs });
        }
      };
      const targets = enabledTelegram(config)?.chats.length ?? 0;
      reply({ kind: 'started', mem: sampleMemory(true), streams: started.streams.length, targets });
    } catch (error) {
      reply({ kind: 'failed', reason: error instanceof Error ? error.message : String(error) });
    }
  })();
});

reply({ kind: 'loaded', mem: sampleMemory(true) });
