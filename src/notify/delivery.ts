import type { Reply } from '../chat/reply.js';

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
