import { definePlatform, type PlatformModule } from '../platform/chat-platform.js';

/**
 * The terminal chat of the demo: no config section (the demo builds its adapter and names its
 * notification target itself), `console:<id>` in access entries, and no pacing to speak of.
 */
export const consolePlatform: PlatformModule<'console'> = definePlatform<'console', never>({
  name: 'console',
  access: { idPattern: '[A-Za-z0-9_-]+', exampleId: 'demo' },
  pacing: { globalPerSecond: 1_000, chatIntervalMs: () => 0 },
  commands: true,
});
