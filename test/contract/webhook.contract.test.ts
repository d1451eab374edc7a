/**
 * The notification contract for webhooks: the loud target is a Discord channel webhook, the quiet
 * one a JSON receiver, both on the fake webhook receiver.
 */
import { SUPPRESS_NOTIFICATIONS } from '../../src/discord/render.js';
import { startFakeWebhook } from '../fakes/fake-webhook.js';
import type { TargetName } from './notification-harness.js';
import { notificationContract } from './notifications.contract.js';

const PATHS: Record<TargetName, string> = {
  loud: '/discord/1100000000000000001/loud-webhook-secret-token',
  quiet: '/json/quiet-webhook-secret',
};

notificationContract({
  name: 'webhook (discord + json)',
  async startPlatform() {
    const receiver = await startFakeWebhook();
    const silentOf = (body: Record<string, unknown>) =>
      typeof body['silent'] === 'boolean'
        ? body['silent']
        : ((typeof body['flags'] === 'number' ? body['flags'] : 0) & SUPPRESS_NOTIFICATIONS) !== 0;
    return {
      config: (quiet) => ({
        webhooks: [
          { name: 'ops-discord', url: `${receiver.url}${PATHS.loud}`, format: 'discord' },
          { name: 'ops-json', url: `${receiver.url}${PATHS.quiet}`, format: 'json', notifications: quiet },
        ],
      }),
      keyOf: (target) => `webhook:${target === 'loud' ? 'ops-discord' : 'ops-json'}`,
      delivered: (target) =>
        receiver
          .postsTo(PATHS[target])
          .map((post) => ({ text: JSON.stringify(post.body), silent: silentOf(post.body) })),
      rateLimitNext: (target, times, retryAfterS) =>
        receiver.rateLimitNext(PATHS[target], times, retryAfterS),
      remove: (target) => receiver.remove(PATHS[target]),
      attempts: (target) => receiver.requests.filter((request) => request.path === PATHS[target]).length,
      secrets: [PATHS.loud, PATHS.quiet, 'loud-webhook-secret-token'],
      everythingReceived: () => receiver.requests.map((request) => JSON.stringify(request.body)).join('\n'),
      close: () => receiver.close(),
    };
  },
});
