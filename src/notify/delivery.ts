import type { Reply } from '../chat/reply.js';
import { ChatopsError } from '../errors.js';

/**
 * A notification could not be delivered. The outbox acts on the flags: `permanent` marks the
 * chat (bot removed, channel gone), `dropMessage` drops this one message (the platform refused
 * it as malformed, so retrying would block the chat forever); otherwise it retries.
 */
export class DeliveryError extends ChatopsError {
  override name = 'DeliveryError' as const;
  readonly permanent: boolean;
  readonly dropMessage: boolean;

  constructor(message: string, opts: { permanent: boolean; dropMessage?: boolean; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.permanent = opts.permanent;
    this.dropMessage = opts.dropMessage ?? false;
  }
}

/**
 * A sender of multi-part replies that, when the outbox retries the same reply object, resumes
 * after the parts already delivered instead of posting them again.
 */
export function createResumableSender(): <P>(
  reply: Reply,
  parts: P[],
  sendOne: (part: P) => Promise<void>,
) => Promise<void> {
  const delivered = new WeakMap<Reply, number>();
  return async (reply, parts, sendOne) => {
    for (let index = delivered.get(reply) ?? 0; index < parts.length; index += 1) {
      await sendOne(parts[index] as (typeof parts)[number]);
      delivered.set(reply, index + 1);
    }
    delivered.delete(reply);
  };
}
