/** The command contract for Telegram: the group chat of the fake Bot API. */
import type { SentMessage, SentPhoto } from '../fakes/fake-telegram.js';
import { IMAGE_COMMANDS_DIR } from '../fixtures/image-commands/picture.js';
import { ADMIN, CANARY, GROUP_CHAT, startHarness, VIEWER } from '../support/harness.js';
import type { CommandReply } from './command-harness.js';
import { commandContract } from './commands.contract.js';

/** A photo as the contract reads it: Telegram keeps no alt text. */
function imageOf(photo: SentPhoto | undefined): CommandReply['image'] {
  return photo ? { bytes: photo.bytes } : undefined;
}

/** A sent message as the contract reads it: its text (a photo's caption), button labels and photo. */
function replyOf(message: SentMessage | undefined): CommandReply {
  const markup = message?.reply_markup as { inline_keyboard?: Array<Array<{ text: string }>> } | undefined;
  const image = imageOf(message?.photo);
  return {
    text: message?.text ?? '',
    buttons: (markup?.inline_keyboard ?? []).flat().map((button) => button.text),
    id: String(message?.message_id ?? ''),
    ...(image ? { image } : {}),
  };
}

commandContract({
  name: 'telegram',
  async start() {
    const harness = await startHarness({ commandDirs: [IMAGE_COMMANDS_DIR] });
    const userOf = (who: 'admin' | 'viewer' = 'admin') => (who === 'admin' ? ADMIN : VIEWER);
    const sentMessage = (reply: CommandReply): SentMessage => {
      const message = harness.telegram.messages.find((sent) => String(sent.message_id) === reply.id);
      if (!message) throw new Error(`no message ${reply.id} in this harness`);
      return message;
    };
    return {
      freqtrade: harness.freqtrade,
      logs: harness.logs,
      secrets: [CANARY.password, CANARY.wsToken, harness.telegram.token],
      async run(name, args, who) {
        const text = [`/${name}`, ...Object.values(args)].join(' ');
        const replies = await harness.say(text, { userId: userOf(who) });
        return replyOf(replies[0]);
      },
      async press(reply, label, who) {
        await harness.press(sentMessage(reply), label, { userId: userOf(who) });
      },
      current(reply) {
        const now = harness.telegram.message(GROUP_CHAT, sentMessage(reply).message_id);
        const image = imageOf(now?.photo);
        return { text: now?.text ?? '', buttons: [], id: reply.id, ...(image ? { image } : {}) };
      },
      stateChangingCalls: () => harness.stateChangingCalls(),
      close: () => harness.close(),
    };
  },
});
