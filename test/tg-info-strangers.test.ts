/**
 * /tg_info "is answered to anyone, in any chat, with a JSON snippet of chat_id, topic_id and the
 * sender's access entry, as Freqtrade does": end to end over the fake Telegram, a stranger in a
 * group and in a forum topic the config does not name gets the snippet (logged, once a minute in
 * a group), while every other command there stays as silent as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GROUP_CHAT, type Harness, QUIET, STRANGER, startHarness, VIEWER } from './support/harness.js';

/** A forum whose topic 7 alone is configured. */
const FORUM = -100555;
/** A group the config does not name at all. */
const UNKNOWN_GROUP = -100999;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(): Promise<Harness> {
  harness = await startHarness({
    telegram: {
      chats: [
        { chat_id: String(GROUP_CHAT), topic_id: null, notifications: QUIET },
        { chat_id: String(FORUM), topic_id: 7, notifications: QUIET },
      ],
      keyboard: [['/count', '/tg_info']],
    },
  });
  return harness;
}

/** The JSON snippet of a /tg_info reply. */
function snippetOf(text: string | undefined): unknown {
  const body = text ?? '';
  return JSON.parse(body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1));
}

describe('/tg_info from strangers', () => {
  it('answers a stranger in a group that is not configured, and nothing else there', async () => {
    const h = await start();
    const [reply] = await h.say('/tg_info', { userId: STRANGER, chatId: UNKNOWN_GROUP });
    expect(snippetOf(reply?.text)).toEqual({
      telegram: { chats: [{ chat_id: String(UNKNOWN_GROUP), topic_id: null }] },
      access: { viewers: [`telegram:${STRANGER}`] },
    });
    // No reply keyboard in a group we do not serve.
    expect(reply?.reply_markup).toBeUndefined();
    // Logged, not audited: strangers asking must never push admin actions out of the audit log.
    expect(h.app.store.recentAudit(10).filter((entry) => entry.command === 'tg_info')).toEqual([]);
    // Every other command there is still ignored, for strangers and allowlisted users alike.
    const requestsBefore = h.freqtrade.requests.length;
    expect(await h.say('/status', { userId: STRANGER, chatId: UNKNOWN_GROUP, replies: 0 })).toEqual([]);
    expect(await h.say('/count', { userId: VIEWER, chatId: UNKNOWN_GROUP, replies: 0 })).toEqual([]);
    // Nothing was asked of Freqtrade for them (the notification stream's own calls aside).
    const asked = h.freqtrade.requests.slice(requestsBefore).map((request) => request.path);
    expect(asked).not.toContain('/count');
  });

  it('answers a stranger in a forum topic that is not configured, with its topic id', async () => {
    const h = await start();
    const [reply] = await h.say('/tg_info', { userId: STRANGER, chatId: FORUM, threadId: 8 });
    expect(reply?.message_thread_id).toBe(8);
    expect(snippetOf(reply?.text)).toEqual({
      telegram: { chats: [{ chat_id: String(FORUM), topic_id: 8 }] },
      access: { viewers: [`telegram:${STRANGER}`] },
    });
    // The forum is a configured chat (topic 7): the reply keyboard goes with the answer.
    expect(reply?.reply_markup).toMatchObject({ keyboard: [[{ text: '/count' }, { text: '/tg_info' }]] });
    // /status in that other topic is ignored as before, even from a viewer.
    expect(await h.say('/status', { userId: STRANGER, chatId: FORUM, threadId: 8, replies: 0 })).toEqual([]);
    expect(await h.say('/status', { userId: VIEWER, chatId: FORUM, threadId: 8, replies: 0 })).toEqual([]);
    // In the configured topic a viewer is served.
    const [status] = await h.say('/status', { userId: VIEWER, chatId: FORUM, threadId: 7 });
    expect(status?.text).toMatch(/no open trades/i);
  });

  it('answers a stranger in a group once a minute at most, so it cannot be used to spam', async () => {
    const h = await start();
    await h.say('/tg_info', { userId: STRANGER, chatId: UNKNOWN_GROUP });
    expect(await h.say('/tg_info', { userId: STRANGER, chatId: UNKNOWN_GROUP, replies: 0 })).toEqual([]);
    // Another place or another user is not held back by it; a private chat never is.
    const [privately] = await h.say('/tg_info', { userId: STRANGER, chatId: STRANGER });
    expect(snippetOf(privately?.text)).toMatchObject({
      telegram: { chats: [{ chat_id: String(STRANGER), topic_id: null }] },
    });
    const [other] = await h.say('/tg_info', { userId: STRANGER + 1, chatId: UNKNOWN_GROUP });
    expect(other?.text).toContain(`telegram:${STRANGER + 1}`);
  });

  it('leaves a stranger refused in a private chat for any other command, as today', async () => {
    const h = await start();
    const [refusal] = await h.say('/status', { userId: STRANGER, chatId: STRANGER });
    expect(refusal?.text).toContain('You are not allowed to do that here.');
    expect(h.stateChangingCalls()).toEqual([]);
  });
});
