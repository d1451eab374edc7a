/**
 * The fake exchange's market list and reference prices. Prices are believable USD values per
 * coin; a pair's default rate is base/quote, so any stake currency works.
 */

const USD_PRICES: Readonly<Record<string, number>> = {
  BTC: 97_250.5,
  ETH: 3412.8,
  SOL: 182.35,
  XRP: 2.418,
  ADA: 0.9121,
  DOGE: 0.3915,
  BNB: 688.4,
  LINK: 24.37,
  AVAX: 38.62,
  DOT: 7.412,
  LTC: 118.9,
  TRX: 0.2544,
  USDT: 1,
  USDC: 1,
  FDUSD: 1,
  BUSD: 1,
  USD: 1,
  EUR: 1.08,
};

/** Coins the fake exchange lists against the stake currency (and against BTC and USDT). */
const LISTED_BASES = ['BTC', 'ETH', 'SOL', 'XRP', 'ADA', 'DOGE', 'BNB', 'LINK', 'AVAX', 'DOT', 'LTC', 'TRX'];

export interface PairParts {
  base: string;
  quote: string;
}

/** `"BTC/USDT"` or `"BTC/USDT:USDT"` → `{base: "BTC", quote: "USDT"}`; a pair without `/` gives an empty quote. */
export function splitPair(pair: string): PairParts {
  const [base = '', rest = ''] = pair.split('/', 2);
  const [quote = ''] = rest.split(':', 1);
  return { base, quote };
}

/** A small deterministic hash of a string in [0, 1): gives unknown coins a stable made-up price. */
export function unitHash(text: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16_777_619);
  }
  return (h >>> 0) / 4_294_967_296;
}

/** USD value of one unit of `coin`; unknown coins get a stable price between 0.05 and 50. */
export function usdPrice(coin: string): number {
  return USD_PRICES[coin] ?? Number((0.05 + unitHash(coin) * 50).toPrecision(4));
}

/** The default rate of `pair` (base priced in quote), to 7 significant digits. */
export function defaultRate(pair: string): number {
  const { base, quote } = splitPair(pair);
  return Number((usdPrice(base) / usdPrice(quote || 'USDT')).toPrecision(7));
}

/** Freqtrade's `decimals_per_coin`: 8 for BTC, 5 for ETH, 3 for anything else. */
export function decimalsPerCoin(coin: string): number {
  if (coin === 'BTC') return 8;
  if (coin === 'ETH') return 5;
  return 3;
}

/** Every market the fake exchange lists for a bot with this stake currency, sorted. */
export function listedMarkets(stakeCurrency: string, extraPairs: Iterable<string> = []): string[] {
  const quotes = new Set([stakeCurrency, 'USDT', 'BTC']);
  const pairs = new Set<string>(extraPairs);
  for (const quote of quotes) {
    for (const base of LISTED_BASES) if (base !== quote) pairs.add(`${base}/${quote}`);
  }
  return [...pairs].sort();
}

/** The default whitelist for a stake currency: the first `count` listed coins that are not the stake. */
export function defaultWhitelist(stakeCurrency: string, count = 8): string[] {
  return LISTED_BASES.filter((base) => base !== stakeCurrency)
    .slice(0, count)
    .map((base) => `${base}/${stakeCurrency}`);
}
