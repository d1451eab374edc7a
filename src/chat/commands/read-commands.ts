/** Every read-only (viewer) command, in the order /help lists them: trades first, then money, then bot info. */
import type { AnyCommandSpec } from '../types.js';
import {
  healthCommand,
  locksCommand,
  logsCommand,
  showConfigCommand,
  sysinfoCommand,
  versionCommand,
  whitelistCommand,
} from './info.js';
import {
  balanceCommand,
  dailyCommand,
  monthlyCommand,
  profitCommand,
  statsCommand,
  weeklyCommand,
} from './profit.js';
import {
  countCommand,
  entriesCommand,
  exitsCommand,
  mixTagsCommand,
  performanceCommand,
  statusCommand,
  tradesCommand,
} from './trades.js';

export const readCommands: AnyCommandSpec[] = [
  statusCommand,
  tradesCommand,
  countCommand,
  profitCommand,
  dailyCommand,
  weeklyCommand,
  monthlyCommand,
  balanceCommand,
  performanceCommand,
  entriesCommand,
  exitsCommand,
  mixTagsCommand,
  statsCommand,
  locksCommand,
  whitelistCommand,
  showConfigCommand,
  logsCommand,
  healthCommand,
  versionCommand,
  sysinfoCommand,
];
