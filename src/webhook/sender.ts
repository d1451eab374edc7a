import { z } from 'zod';
import type { Reply } from '../chat/reply.js';
import { DeliveryError } from '../errors.js';
import { createResumableSender } from '../notify/delivery.js';
import type { WebhookConfig } from './config.js';
import { renderWebhookBodies } from './render.js';

/** How long one POST may take before it counts as no answer (the outbox retries). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Discord's 429 body: `retry_after` in seconds (discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit). */
const discordRateLimitBodySchema = z.object({ retry_after: z.number().nonnegative() });

/**
 * How long a 429 asks us to wait, in ms: Discord's JSON body `retry_after` (seconds), else the
 * `Retry-After` header (seconds, Slack's and HTTP's way); undefined when neither says.
 */
export function retryAfterMsOf(bodyText: string, retryAfterHeader: string | null): number | undefined {
  try {
    const body = discordRateLimitBodySchema.safeParse(JSON.parse(bodyText));
    if (body.success) return Math.ceil(body.data.retry_after * 1000);
  } catch {
    // Not JSON (Slack answers `rate_limited` as text): the header says it.
  }
  const seconds = retryAfterHeader === null ? Number.NaN : Number(retryAfterHeader);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}

/** The receiver is gone for good (webhook deleted, token revoked, Slack channel archived). */
function isPermanentStatus(status: number): boolean {
  return status === 401 || status === 403 || status === 404 || status === 410;
}

export interface WebhookSenderOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Posts replies to one webhook. Errors are DeliveryErrors naming the webhook, never its URL: a
 * 429 carries `retryAfterMs`, a gone webhook is `permanent`, a refused body (400) `dropMessage`.
 */
export function createWebhookSender(
  webhook: WebhookConfig,
  options: WebhookSenderOptions = {},
): (reply: Reply) => Promise<void> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const sendResumable = createResumableSender();
  const what = `webhook "${webhook.name}" (${webhook.format})`;

  const post = async (body: Record<string, unknown>): Promise<void> => {
    let response: Response;
    try {
      response = await doFetch(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // The cause may name the URL (fetch's own messages do): keep only its kind.
      const kind = error instanceof Error ? error.name : 'error';
      throw new DeliveryError(`${what} delivery failed: no answer (${kind})`, { permanent: false });
    }
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const text = await response.text().catch(() => '');
    const status = `${response.status} ${response.statusText}`.trim();
    if (response.status === 429) {
      const retryAfterMs = retryAfterMsOf(text, response.headers.get('retry-after'));
      throw new DeliveryError(`${what} delivery failed: ${status}`, {
        permanent: false,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      });
    }
    throw new DeliveryError(`${what} delivery failed: ${status}`, {
      permanent: isPermanentStatus(response.status),
      dropMessage: response.status === 400,
    });
  };

  return (reply) => sendResumable(reply, renderWebhookBodies(reply, webhook.format), post);
}
