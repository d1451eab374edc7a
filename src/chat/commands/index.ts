import type { AnyCommandSpec } from '../types.js';
import {
  cancelOpenOrderCommand,
  deleteTradeCommand,
  forceExitCommand,
  forceLongCommand,
  forceShortCommand,
  reloadTradeCommand,
} from './trade-control.js';
import { pauseCommand, reloadConfigCommand, startCommand, stopCommand } from './bot-control.js';
import { auditCommand, botsCommand, helpCommand, useCommand, whoamiCommand } from './meta.js';
import { blacklistCommand, blacklistDeleteCommand, lockCommand, unlockCommand } from './pairlists.js';
import { muteCommand, notifyCommand, unmuteCommand } from './notifications.js';
import { readCommands } from './read-commands.js';
import { orderCommand } from './orders.js';
import { listCustomDataCommand } from './custom-data.js';
import { profitLongCommand, profitShortCommand } from './profit-direction.js';
import { tgInfoCommand } from './tg-info.js';

/** Every built-in command, in the order /help and the platform menus show them. */
export function builtinCommands(): AnyCommandSpec[] {
  return [
    ...readCommands,
    orderCommand,
    profitLongCommand,
    profitShortCommand,
    listCustomDataCommand,
    blacklistCommand,
    botsCommand,
    useCommand,
    whoamiCommand,
    tgInfoCommand,
    helpCommand,
    forceExitCommand,
    forceLongCommand,
    forceShortCommand,
    lockCommand,
    unlockCommand,
    startCommand,
    stopCommand,
    pauseCommand,
    reloadConfigCommand,
    blacklistDeleteCommand,
    deleteTradeCommand,
    cancelOpenOrderCommand,
    reloadTradeCommand,
    notifyCommand,
    muteCommand,
    unmuteCommand,
    auditCommand,
  ];
}
