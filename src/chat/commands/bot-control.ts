import { z } from 'zod';
import type { StatusMsg } from '../../freqtrade/schemas.js';
import { defineCommand } from '../types.js';

function stateCommand(options: {
  name: string;
  /** Position in /help and the menus. */
  order: number;
  aliases?: string[];
  description: string;
  confirm?: string;
  call(bot: {
    start(): Promise<StatusMsg>;
    stop(): Promise<StatusMsg>;
    pause(): Promise<StatusMsg>;
    reloadConfig(): Promise<StatusMsg>;
  }): Promise<StatusMsg>;
}) {
  return defineCommand({
    name: options.name,
    order: options.order,
    ...(options.aliases ? { aliases: options.aliases } : {}),
    description: options.description,
    usage: `/${options.name}`,
    role: 'admin',
    mutates: true,
    args: z.object({}),
    ...(options.confirm
      ? {
          async confirm() {
            return { title: `⚠️ ${options.confirm}`, tone: 'warning' as const, blocks: [] };
          },
        }
      : {}),
    async run(run) {
      const result = await options.call(run.bot);
      return { tone: 'info', blocks: [{ kind: 'text', text: result.status }] };
    },
  });
}

export const startCommand = stateCommand({
  name: 'start',
  order: 310,
  description: 'Start the trader',
  call: (bot) => bot.start(),
});

export const stopCommand = stateCommand({
  name: 'stop',
  order: 320,
  description: 'Stop the trader (open trades stay open), after confirmation',
  confirm: 'Stop the trader? Open trades stay open but are no longer managed until /start.',
  call: (bot) => bot.stop(),
});

export const pauseCommand = stateCommand({
  name: 'pause',
  order: 330,
  aliases: ['stopentry', 'stopbuy'],
  description: 'Stop opening new trades; open trades are still managed',
  call: (bot) => bot.pause(),
});

export const reloadConfigCommand = stateCommand({
  name: 'reload_config',
  order: 340,
  aliases: ['reload_conf'],
  description: "Reload Freqtrade's configuration",
  call: (bot) => bot.reloadConfig(),
});
