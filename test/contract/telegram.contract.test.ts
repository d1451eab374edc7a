/** The notification contract for Telegram: two private chats on the fake Bot API. */
import { startFakeTelegram } from '../fakes/fake-telegram.js';
import type { TargetName } from './notification-harness.js';
import { notificationContract } from './notifications.contract.js';

const CHAT: Record<TargetName, number> = { loud: 5001, quiet: 5002 };

notificationContract({
  name: 'telegram',
  // The fake refuses by method, not by chat: notifications-e2e covers a removed chat.
  canRemoveOneTarget: false,
  async startPlatform() {
    const telegram = await startFakeTelegram({ rateLimits: false });
    const sentTo = (target: TargetName) =>
      telegram.messages.filter((message) => message.chat_id === String(CHAT[target]));
    return {
      config: (quiet) => ({
        telegram: {
          enabled: true,
          token: telegram.token,
          api_root: telegram.apiRoot,
          polling_timeout_s: 1,
          chats: [
            { chat_id: String(CHAT.loud), topic_id: null },
            { chat_id: String(CHAT.quiet), topic_id: null, notifications: quiet },
          ],
        },
      }),
      keyOf: (target) => `telegram:${CHAT[target]}`,
      delivered: (target) =>
        sentTo(target).map((message) => ({
          text: message.text,
          silent: message.disable_notification === true,
        })),
      rateLimitNext: (_target, times, retryAfterS) =>
        telegram.fail429('sendMessage', times, Math.max(1, Math.ceil(retryAfterS))),
      attempts: (target) =>
        telegram.calls.filter(
          (call) => call.method === 'sendMessage' && String(call.body['chat_id']) === String(CHAT[target]),
        ).length,
      secrets: [telegram.token],
      everythingReceived: () => telegram.calls.map((call) => JSON.stringify(call.body)).join('\n'),
      close: () => telegram.close(),
    };
  },
});
