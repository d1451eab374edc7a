/** Many Freqtrade bots by name: one REST client per configured bot, looked up case-insensitively. */
import type { BotConfig } from '../config/schema.js';
import { UserInputError } from '../errors.js';
import { createFreqtradeClient, type FreqtradeClient, type FreqtradeClientDeps } from './client.js';

export interface Fleet {
  /** Bot names in config order. */
  readonly names: string[];
  /** Case-insensitive; an unknown name is a `UserInputError` listing the configured bots. */
  get(name: string): FreqtradeClient;
  has(name: string): boolean;
  /** Every client, in config order. */
  all(): FreqtradeClient[];
}

/** Creates one client per bot (no connection is opened until a call). Names are unique per the config schema. */
export function createFleet(bots: BotConfig[], deps: Omit<FreqtradeClientDeps, 'bot'> = {}): Fleet {
  const clients = bots.map((bot, index) => createFreqtradeClient({ ...deps, bot, configIndex: index }));
  const byName = new Map<string, FreqtradeClient>();
  for (const client of clients) {
    const key = client.name.toLowerCase();
    if (!byName.has(key)) byName.set(key, client);
  }
  const names = clients.map((client) => client.name);

  return {
    get names() {
      return [...names];
    },
    get(name) {
      const client = byName.get(name.trim().toLowerCase());
      if (!client) {
        throw new UserInputError(
          `Unknown bot "${name}". Configured bots: ${names.length > 0 ? names.join(', ') : '(none)'}`,
        );
      }
      return client;
    },
    has: (name) => byName.has(name.trim().toLowerCase()),
    all: () => [...clients],
  };
}
