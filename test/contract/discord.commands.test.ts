/** The command contract for Discord: slash commands in the configured channel of the fake Discord. */
import type { FakeDiscordMessage } from '../fakes/fake-discord.js';
import { IMAGE_COMMANDS_DIR } from '../fixtures/image-commands/picture.js';
import { ADMIN, startDiscordHarness, VIEWER } from '../support/discord-harness.js';
import { buttonId, buttonLabels, textOf } from '../support/discord-text.js';
import type { CommandReply } from './command-harness.js';
import { commandContract } from './commands.contract.js';

/** A message as the contract reads it; its picture is the attachment its embed shows. */
function replyOf(message: FakeDiscordMessage | undefined): CommandReply {
  const reply: CommandReply = {
    text: textOf(message),
    buttons: buttonLabels(message),
    id: message?.id ?? '',
  };
  const shown = message?.embeds
    .map((embed) => (embed['image'] as { url?: string } | undefined)?.url)
    .find((url) => url?.startsWith('attachment://'));
  const attachment = message?.attachments.find((file) => `attachment://${file.filename}` === shown);
  if (attachment) {
    reply.image = {
      bytes: attachment.bytes,
      ...(attachment.description !== undefined ? { alt: attachment.description } : {}),
    };
  }
  return reply;
}

commandContract({
  name: 'discord',
  async start() {
    const harness = await startDiscordHarness({ commandDirs: [IMAGE_COMMANDS_DIR] });
    const userOf = (who: 'admin' | 'viewer' = 'admin') => ({ userId: who === 'admin' ? ADMIN : VIEWER });
    const messageOf = (reply: CommandReply): FakeDiscordMessage => {
      const message = harness.discord.message(reply.id);
      if (!message) throw new Error(`no message ${reply.id} in this harness`);
      return message;
    };
    return {
      freqtrade: harness.freqtrade,
      logs: harness.logs,
      secrets: ['secret-pass', 'ws-secret-token', harness.discord.token],
      async run(name, args, who) {
        const { view } = await harness.command(name, args, userOf(who));
        return replyOf(view.original ?? view.followUps.at(-1));
      },
      async press(reply, label, who) {
        const message = messageOf(reply);
        await harness.press(message.id, buttonId(message, label), userOf(who));
      },
      current(reply) {
        return replyOf(messageOf(reply));
      },
      stateChangingCalls: () => harness.stateChangingCalls(),
      close: () => harness.close(),
    };
  },
});
