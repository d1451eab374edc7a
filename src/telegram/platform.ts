import { type ChatPlatform, definePlatform, type PlatformModule } from '../platform/chat-platform.js';
import { flushedWithin } from '../store/store.js';
import { createTelegramAdapter, type TelegramAdapter } from './adapter.js';

/** The store's cursor of the last Telegram update taken in, and when it was taken. */
const TELEGRAM_CURSOR = 'telegram';
const TELEGRAM_CURSOR_AT = 'telegram:at_ms';
/** How long an update waits for the store to record it before it is dropped unhandled. */
const CURSOR_WRITE_LIMIT_MS = 2_000;
/** How long Telegram keeps an update nobody confirmed. */
const TELEGRAM_CURSOR_MAX_AGE_MS = 24 * 3_600_000;
import {
  TELEGRAM_CONFIG_KEY,
  TELEGRAM_LIMITS,
  type TelegramSection,
  enabledTelegramSection,
  telegramChatIntervalMs,
  telegramChatsOf,
  telegramSectionSchema,
} from './config.js';
import { assertTelegramKeyboard } from './keyboard.js';

/** Telegram through grammY: commands in the configured chats and private chats, notifications to the chats. */
export const telegramPlatform: PlatformModule<'telegram'> = definePlatform<'telegram', TelegramSection>({
  name: 'telegram',
  // User ids are numbers; `telegram:11111` in access.admins.
  access: { idPattern: '-?\\d+', exampleId: '11111' },
  pacing: { globalPerSecond: TELEGRAM_LIMITS.globalPerSecond, chatIntervalMs: telegramChatIntervalMs },
  commands: true,
  config: {
    key: TELEGRAM_CONFIG_KEY,
    schema: telegramSectionSchema,
    enabled: (section) => enabledTelegramSection(section) !== undefined,
    chats: telegramChatsOf,
    create(section, deps) {
      const config = enabledTelegramSection(section);
      if (!config) return undefined;
      // Checked again against the commands really registered (extra folders, optional services).
      assertTelegramKeyboard(config, deps.router.commands());
      return createTelegramAdapter({
        config,
        router: deps.router,
        logger: deps.logger,
        cursor: {
          // Telegram keeps an unconfirmed update 24 hours, and after a week without any it may
          // start its ids anew: an older cursor says nothing about what is waiting now.
          read: () => {
            const atMs = deps.store.cursor(TELEGRAM_CURSOR_AT);
            return atMs !== undefined && deps.now() - atMs < TELEGRAM_CURSOR_MAX_AGE_MS
              ? deps.store.cursor(TELEGRAM_CURSOR)
              : undefined;
          },
          save: async (updateId) => {
            deps.store.saveCursor(TELEGRAM_CURSOR, updateId);
            deps.store.saveCursor(TELEGRAM_CURSOR_AT, deps.now());
            // Written (Redis answered, or the file rewritten) before the update is handled.
            return flushedWithin(deps.store, CURSOR_WRITE_LIMIT_MS);
          },
        },
      });
    },
  },
});

/** True for the running Telegram platform among the app's platforms (its adapter, with `whenHandled`). */
export function isTelegramPlatform(platform: ChatPlatform): platform is TelegramAdapter {
  return platform.name === 'telegram' && 'whenHandled' in platform;
}
