import { describe, expect, it } from 'vitest';
import type { Reply } from '../chat/reply.js';
import { createResumableSender } from './delivery.js';

describe('createResumableSender', () => {
  it('resumes a retried reply after the parts already delivered, and starts over for a new reply', async () => {
    const send = createResumableSender();
    const reply: Reply = { blocks: [] };
    const posted: string[] = [];
    let failOnce = true;
    const sendOne = async (part: string) => {
      if (part === 'b' && failOnce) {
        failOnce = false;
        throw new Error('ECONNRESET');
      }
      posted.push(part);
    };
    await expect(send(reply, ['a', 'b', 'c'], sendOne)).rejects.toThrow('ECONNRESET');
    await send(reply, ['a', 'b', 'c'], sendOne);
    expect(posted).toEqual(['a', 'b', 'c']);
    await send(reply, ['a', 'b', 'c'], sendOne);
    expect(posted).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });
});
