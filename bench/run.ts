/**
 * `npm run bench`: six scenarios against real loopback servers, one Markdown table. A report,
 * not a test: it always exits 0. Nothing is written to the repository (a temp dir under
 * os.tmpdir() is removed at the end). See bench/README.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TELEGRAM_LIMITS } from '../src/telegram/config.js';
import { type ChartsResult, charts } from './scenario-charts.js';
import { type FanoutResult, fanout } from './scenario-fanout.js';
import { type LatencyResult, pipelineShippedLowRate, pipelineUnpaced } from './scenario-pipeline.js';
import {
  type BannerResult,
  demoBanner,
  type ShippedMemoryResult,
  shippedMemory,
} from './scenario-shipped.js';
import {
  outboxStoreCost,
  pipelineWithStore,
  type StoreCostLevel,
  type StoreCostResult,
  type StoreLatencyKind,
  startBenchRedis,
} from './scenario-store.js';
import { mb, type Percentiles } from './support.js';

const TARGET_P99_MS = 2;
const TARGET_FRACTION = 0.95;

interface Row {
  scenario: string;
  measured: string;
  result: string;
  target: string;
  verdict: 'PASS' | 'FAIL' | 'info' | 'ERROR';
}

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : 'n/a');
const s1 = (valueMs: number): string => (valueMs / 1000).toFixed(1);
const pct = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a');
function errorRow(scenario: string, error: unknown): Row {
  return {
    scenario,
    measured: '—',
    result: `error: ${error instanceof Error ? error.message : String(error)}`.replaceAll('|', '/'),
    target: '—',
    verdict: 'ERROR',
  };
}

type LatencyKind = 'unpaced' | 'shipped' | 'shipped-stored';

const pcts = (p: Percentiles): string => `p50 ${ms(p.p50)} · p99 ${ms(p.p99)} · max ${ms(p.max)}`;

function loadText(result: LatencyResult): string {
  const { load, fakesLoad } = result;
  return (
    `app process: event loop busy ${pct(load.eventLoopUtilization)}, ` +
    `GC ${load.gcCount}× (${load.gcTotalMs.toFixed(0)} ms, max pause ${ms(load.gcMaxMs)} ms); ` +
    `fakes' child process: event loop busy ${pct(fakesLoad.eventLoopUtilization)}, ` +
    `CPU ${(fakesLoad.ownCpuMs / fakesLoad.wallMs).toFixed(2)} cores, GC max pause ${ms(fakesLoad.gcMaxMs)} ms; ` +
    `other processes on the machine: ${(load.otherCpuMs / load.wallMs).toFixed(2)} of ${load.cores} cores busy`
  );
}

function clockText(result: LatencyResult): string {
  // Math.round and a template literal turn -0.4 into "0", not "-0".
  const offsetUs = Math.round(result.clock.offsetMs * 1000);
  const uncertaintyUs = Math.round(result.clock.uncertaintyMs * 1000);
  return `clock check (child − app, IPC ping-pong): ${offsetUs >= 0 ? '+' : ''}${offsetUs} µs ± ${uncertaintyUs} µs`;
}

function latencyRow(result: LatencyResult, kind: LatencyKind): Row {
  const lost = result.events - result.received;
  const events = result.events.toLocaleString('en-US');
  const measured = {
    unpaced: `ws frame \`emit\` → sendMessage body received; the fake Freqtrade and an instant Bot API server run in a child process, the app alone in the bench process; both ends stamped with performance.timeOrigin + performance.now() (absolute ms, sub-ms; the same machine's monotonic-derived wall clock in both processes); ${events} \`exit\` events at ${result.ratePerS}/s over ${result.chats} private chats (each hears its own exit reason), after a 1 s warm-up; real stream/notifier/outbox/adapter/grammY composed as in startApp with outbox pacing OFF (bench/compose.ts)`,
    shipped: `same end to end (fakes in the child process), app exactly as shipped (startApp, TELEGRAM_LIMITS), ${events} events at ${result.ratePerS}/s (under the 30/s budget), one event per chat, ${result.chats} chats, empty store`,
    'shipped-stored': `as (a′) but every one of the ${result.chats} chats has a store entry first (what \`/use\`, \`/notify\` or \`/mute\` leave behind)`,
  }[kind];
  const stages = result.stages
    ? `<br>stages: stream (ws + parse; emit in child → notifier in app) ${pcts(result.stages.stream)}; notify (route ${result.chats} chats + format + outbox) ${pcts(result.stages.notify)}; send (render + grammY + HTTP; outbox in app → body received in child) ${pcts(result.stages.send)}`
    : '';
  const pass = lost === 0 && result.total.p99 <= TARGET_P99_MS;
  return {
    scenario: {
      unpaced: '(a) pipeline overhead',
      shipped: '(a′) pipeline, as shipped, low rate',
      'shipped-stored': '(a″) as (a′), 1,000 chats in the store',
    }[kind],
    measured,
    result:
      `**p99 ${ms(result.total.p99)} ms** · p50 ${ms(result.total.p50)} · p90 ${ms(result.total.p90)} · max ${ms(result.total.max)} (mean ${ms(result.total.mean)}); lost ${lost}; merged msgs ${result.mergedMessages}` +
      `${stages}<br>${loadText(result)}<br>${clockText(result)}`,
    target:
      kind === 'unpaced'
        ? `p99 ≤ ${TARGET_P99_MS} ms, 0 lost`
        : `info (p99 ≤ ${TARGET_P99_MS} ms for reference)`,
    verdict: kind === 'unpaced' ? (pass ? 'PASS' : 'FAIL') : 'info',
  };
}

function fanoutRow(result: FanoutResult): Row {
  const floorS = result.apiMessages / TELEGRAM_LIMITS.globalPerSecond;
  const shipped = result.mode === 'shipped';
  const base = `${result.notifications.toLocaleString('en-US')} notifications → **${result.apiMessages} API messages** in **${s1(result.totalMs)} s**; delivered ${result.delivered}, lost ${result.lost}, duplicates ${result.duplicates}; **429s: ${result.count429}** (of ${result.attempts} sendMessage calls; ${result.outbox429} reached the outbox, which waits them out)`;
  const rate = `${result.messagesPerS.toFixed(1)} msg/s = **${pct(result.fractionOfAllowed)} of 30/s** (floor for ${result.apiMessages} msgs: ${floorS.toFixed(1)} s)`;
  const clean = result.lost === 0 && result.duplicates === 0 && result.count429 === 0 && !result.timedOut;
  if (shipped) {
    return {
      scenario: '(b1) fan-out, as shipped (merging on)',
      measured: `burst of 1,000 \`exit\` frames, 10 for each of ${result.chats} private chats; fake Telegram with 429 limits (1/s per chat, burst 3; 30/s overall); first emit → last accepted message`,
      result: `${base}; ${rate}; ${(result.notifications / (result.totalMs / 1000)).toFixed(0)} notifications/s (one-message-per-event floor: 33.3 s)`,
      target: '0 × 429, 0 lost (rate: merging sends fewer messages than the budget allows)',
      verdict: clean ? 'PASS' : 'FAIL',
    };
  }
  return {
    scenario: '(b2) fan-out, merging off',
    measured: `same burst; startApp cannot turn merging off, so: same modules composed in bench/compose.ts with createOutbox({ mergeThreshold: Infinity }), TELEGRAM_LIMITS pacing`,
    result: `${base}; ${rate}`,
    target: `≥ ${TARGET_FRACTION * 100}% of 30/s, 0 × 429, 0 lost`,
    verdict: clean && result.fractionOfAllowed >= TARGET_FRACTION ? 'PASS' : 'FAIL',
  };
}

const TARGET_RSS_MB = 120;
const TARGET_BANNER_MS = 1_000;

function shippedRows(result: ShippedMemoryResult): Row[] {
  const setup = `\`node dist/cli.js --config\` (the compiled program, as \`npm start\` runs it), ${result.bots} bots, ${result.chats.toLocaleString('en-US')} Telegram chats; RSS from /proc`;
  return [
    {
      scenario: '(c) shipped program: processes',
      measured: 'node processes the running program is made of',
      result: String(result.processes),
      target: '1',
      verdict: result.processes === 1 ? 'PASS' : 'FAIL',
    },
    {
      scenario: '(c) shipped program: RSS idle',
      measured: `${setup}; every websocket open, 3 s after start`,
      result: `${mb(result.idleRssBytes).toFixed(1)} MB (baseline: bare node + grammY + runner + auto-retry, bot created: ${mb(result.baselineRssBytes).toFixed(1)} MB)`,
      target: `≤ ${TARGET_RSS_MB} MB`,
      verdict: mb(result.idleRssBytes) <= TARGET_RSS_MB ? 'PASS' : 'FAIL',
    },
    {
      scenario: '(c) shipped program: RSS under a burst',
      measured: `${setup}; peak while ${result.notifications.toLocaleString('en-US')} notifications (one per chat) are routed, queued and sent at 30/s; then once all were delivered`,
      result: `peak ${mb(result.burstPeakRssBytes).toFixed(1)} MB; ${mb(result.deliveredRssBytes).toFixed(1)} MB after ${result.deliveredMessages.toLocaleString('en-US')} messages in ${result.deliverySeconds.toFixed(1)} s`,
      target: `≤ ${TARGET_RSS_MB} MB`,
      verdict: mb(result.burstPeakRssBytes) <= TARGET_RSS_MB ? 'PASS' : 'FAIL',
    },
  ];
}

function bannerRow(result: BannerResult): Row {
  return {
    scenario: '(d) demo: start to banner',
    measured: `\`node dist/cli.js\` with no config, spawn → banner on stdout, ${result.runs.length} runs`,
    result: `median ${(result.medianMs / 1000).toFixed(2)} s (runs: ${result.runs.map((run) => (run / 1000).toFixed(2)).join(', ')} s)`,
    target: `about ${TARGET_BANNER_MS / 1000} s`,
    verdict: result.medianMs <= TARGET_BANNER_MS * 1.2 ? 'PASS' : 'FAIL',
  };
}

function chartsRows(result: ChartsResult): Row[] {
  const perKind = result.kinds
    .map(
      (kind) =>
        `${kind.kind}: cold ${kind.coldMs.toFixed(0)} ms, warm ${kind.warmMedianMs.toFixed(0)} ms (max ${kind.warmMaxMs.toFixed(0)}), ${(kind.bytes / 1024).toFixed(0)} KB`,
    )
    .join('<br>');
  return [
    {
      scenario: '(e) charts: draw time per kind',
      measured: `1280×720 PNG, chart.js on @napi-rs/canvas in this thread (as the worker does); load of chart.js + canvas + fonts ${result.loadMs.toFixed(0)} ms; cold = first chart of its kind, warm = median of ${result.warmRuns}`,
      result: perKind,
      target: 'info (a worker thread when a kind holds the loop > ~50 ms)',
      verdict: 'info',
    },
    {
      scenario: '(e′) charts: event loop while drawing',
      measured: `monitorEventLoopDelay (10 ms resolution) max while drawing every kind ${result.warmRuns}× in-thread, then the same through the worker-backed renderer (worker start ${result.workerStartMs.toFixed(0)} ms)`,
      result: `max (p50) in-thread: **${ms(result.inThreadLoopDelayMaxMs)} ms** (${ms(result.inThreadLoopDelayP50Ms)}); via the worker: **${ms(result.workerLoopDelayMaxMs)} ms** (${ms(result.workerLoopDelayP50Ms)}); idle baseline, same duration: ${ms(result.idleLoopDelayMaxMs)} ms (one render, post → PNG back: median ${ms(result.workerRenderMedianMs)} ms)`,
      target: 'via the worker: main loop not held by drawing',
      verdict: 'info',
    },
  ];
}

/** The largest queue's per-message figure may be at most this many times the empty queue's. */
const FLAT_FACTOR = 2;
const STORE_COST_LEVELS = [0, 1_000, 5_000, 10_000];
const STORE_LATENCY_ROUNDS = 2;
const us = (valueMs: number): string =>
  Number.isFinite(valueMs) ? `${(valueMs * 1000).toFixed(1)} µs` : 'n/a';
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
const ratio = (last: number, first: number): number => last / first;

function storeCostRow(result: StoreCostResult): Row {
  const first = result.levels[0] as StoreCostLevel;
  const last = result.levels[result.levels.length - 1] as StoreCostLevel;
  const level = (entry: StoreCostLevel): string => entry.queued.toLocaleString('en-US');
  const count = (result.batches * result.batch).toLocaleString('en-US');
  if (result.backend === 'file') {
    const lines = result.levels.map((entry) => {
      const journal = entry.journal;
      const size = journal
        ? `; journal ${kb(journal.startBytes)} after the fill → peak ${kb(journal.peakBytes)} (bound ${kb(journal.boundBytes)}) → ${kb(journal.endBytes)} at the end, compacted ${journal.compactions}×`
        : '';
      return `${level(entry)} queued: mean **${us(entry.perMessage.mean)}** · p50 ${us(entry.perMessage.p50)} · p99 **${us(entry.perMessage.p99)}** · max ${ms(entry.perMessage.max)} ms${size}`;
    });
    const meanRatio = ratio(last.perMessage.mean, first.perMessage.mean);
    const p99Ratio = ratio(last.perMessage.p99, first.perMessage.p99);
    const bounded = result.levels.every(
      (entry) => entry.journal && entry.journal.peakBytes <= entry.journal.boundBytes,
    );
    return {
      scenario: '(f1) durable outbox: store cost per message, file journal',
      measured: `\`queueNotification\` + the matching \`dropQueuedNotifications\` on the file store (lowdb file + the JSON-lines journal, appendFileSync), the queue holding ${STORE_COST_LEVELS.map((n) => n.toLocaleString('en-US')).join(' / ')} notifications; ${count} messages per level (after a warm-up batch of ${result.batch.toLocaleString('en-US')}), each timed alone, so compactions are inside the figures; each message a formatted \`exit\` Reply with its \`about\` (${result.entryBytes} bytes as JSON)`,
      result: `${lines.join('<br>')}<br>10,000 vs 0: mean ×${meanRatio.toFixed(2)}, p99 ×${p99Ratio.toFixed(2)}; journal within its compaction bound: ${bounded ? 'yes' : 'NO'}`,
      target: `flat: 10,000's mean and p99 ≤ ${FLAT_FACTOR}× the empty queue's; journal bounded`,
      verdict: meanRatio <= FLAT_FACTOR && p99Ratio <= FLAT_FACTOR && bounded ? 'PASS' : 'FAIL',
    };
  }
  const lines = result.levels.map((entry) => {
    const batched = entry.perMessageBatched as Percentiles;
    return `${level(entry)} queued: batched **${us(batched.mean)}**/msg (worst batch ${us(batched.max)}); one at a time mean ${us(entry.perMessage.mean)} · p50 ${us(entry.perMessage.p50)} · p99 **${us(entry.perMessage.p99)}**`;
  });
  const batchedFirst = first.perMessageBatched as Percentiles;
  const batchedLast = last.perMessageBatched as Percentiles;
  const meanRatio = ratio(batchedLast.mean, batchedFirst.mean);
  const p99Ratio = ratio(last.perMessage.p99, first.perMessage.p99);
  return {
    scenario: '(f1′) durable outbox: store cost per message, Redis',
    measured: `the same calls on the Redis store (a private redis-server on loopback, one ioredis connection, one Lua script per call) at the same queue levels; batched = ${result.batches} batches of ${result.batch.toLocaleString('en-US')} (after a warm-up batch), each timed until \`flush()\` resolved, ÷ ${result.batch.toLocaleString('en-US')}; one at a time = ${result.levels[0]?.perMessage.n.toLocaleString('en-US')} messages, each awaited (\`flush()\`): the round trip`,
    result: `${lines.join('<br>')}<br>10,000 vs 0: batched mean ×${meanRatio.toFixed(2)}, one-at-a-time p99 ×${p99Ratio.toFixed(2)}`,
    target: `flat: 10,000's batched mean and p99 ≤ ${FLAT_FACTOR}× the empty queue's`,
    verdict: meanRatio <= FLAT_FACTOR && p99Ratio <= FLAT_FACTOR ? 'PASS' : 'FAIL',
  };
}

/** One row for (f2): per store, each round's figures side by side (the rounds alternate the stores). */
function storeLatencyRow(results: Array<{ kind: StoreLatencyKind; rounds: LatencyResult[] }>): Row {
  const label = {
    memory: 'in memory (no durable queue, as (a))',
    file: 'lowdb file + journal',
    redis: 'Redis',
  };
  const first = results[0]?.rounds[0];
  const each = (rounds: LatencyResult[], pick: (result: LatencyResult) => string): string =>
    rounds.map(pick).join(' / ');
  const lines = results.map(({ kind, rounds }) => {
    const lost = rounds.reduce((sum, result) => sum + result.events - result.received, 0);
    return (
      `${label[kind]}: **p50 ${each(rounds, (r) => ms(r.total.p50))} ms · p99 ${each(rounds, (r) => ms(r.total.p99))} ms** · ` +
      `max ${each(rounds, (r) => ms(r.total.max))} (mean ${each(rounds, (r) => ms(r.total.mean))}); lost ${lost}; ` +
      `event loop busy ${each(rounds, (r) => pct(r.load.eventLoopUtilization))}; ` +
      `other processes ${each(rounds, (r) => (r.load.otherCpuMs / r.load.wallMs).toFixed(2))} of ${first?.load.cores ?? '?'} cores`
    );
  });
  const allDelivered = results.every(({ rounds }) =>
    rounds.every((result) => result.events === result.received),
  );
  return {
    scenario: '(f2) notification latency: Redis vs lowdb file store',
    measured: first
      ? `as (a) (ws frame \`emit\` → sendMessage body received, fakes in a child process, outbox pacing off), each run with its state and the outbox's durable queue (\`queueStore\`) in the store named, so every notification is written to the store when queued (and again once its Reply is final) and dropped once sent; ${first.events.toLocaleString('en-US')} \`exit\` events at ${first.ratePerS}/s over ${first.chats} chats after a 1 s warm-up, the same rate for each store; ${results[0]?.rounds.length} rounds, the stores taking turns (figures: round 1 / round 2)`
      : 'as (a), once per store',
    result: lines.join('<br>'),
    target: `info (p99 ≤ ${TARGET_P99_MS} ms for reference), 0 lost`,
    verdict: allDelivered ? 'info' : 'FAIL',
  };
}

function printTable(rows: Row[]): void {
  const lines = [
    '| Scenario | What was measured | Result | Target | Verdict |',
    '|---|---|---|---|---|',
    ...rows.map(
      (row) => `| ${row.scenario} | ${row.measured} | ${row.result} | ${row.target} | ${row.verdict} |`,
    ),
  ];
  console.log(lines.join('\n'));
}

/** Announces a scenario, runs it, and adds its rows; a scenario that throws becomes an ERROR row. */
type Measure = (announce: string, scenario: string, produce: () => Promise<Row | Row[]>) => Promise<void>;

function measurer(rows: Row[], step: (text: string) => void): Measure {
  return async (announce, scenario, produce) => {
    step(announce);
    try {
      const produced = await produce();
      rows.push(...(Array.isArray(produced) ? produced : [produced]));
    } catch (error) {
      rows.push(errorRow(scenario, error));
    }
  };
}

/** Scenario (f): the durable outbox's per-message store cost, then latency per store (bench/scenario-store.ts). */
async function storeRows(dir: string, step: (text: string) => void, measure: Measure): Promise<void> {
  const costOptions = { levels: STORE_COST_LEVELS, batch: 1_000, batches: 11, oneByOne: 2_000 };
  const drive = { ratePerS: 250, warmupMs: 1_000, measureMs: 4_000, chats: 1_000, tempDir: dir };
  step('(f) starting a private redis-server');
  const redis = await startBenchRedis();
  try {
    await measure(
      '(f1) durable outbox store cost, file journal: 0 to 10,000 queued',
      '(f1) durable outbox store cost, file journal',
      async () => storeCostRow(await outboxStoreCost({ backend: 'file', tempDir: dir }, costOptions)),
    );
    await measure(
      '(f1′) durable outbox store cost, Redis: 0 to 10,000 queued',
      '(f1′) durable outbox store cost, Redis',
      async () =>
        'server' in redis
          ? storeCostRow(await outboxStoreCost({ backend: 'redis', url: redis.server.url }, costOptions))
          : redisMissingRow('(f1′) durable outbox: store cost per message, Redis', redis.missing),
    );
    await measure(
      '(f2) notification latency per store: in memory, file, Redis, 2 rounds (250 events/s, 1 s warm-up + 4 s each)',
      '(f2) notification latency per store',
      async () => {
        const kinds: StoreLatencyKind[] =
          'server' in redis ? ['memory', 'file', 'redis'] : ['memory', 'file'];
        const results = kinds.map((kind) => ({ kind, rounds: [] as LatencyResult[] }));
        for (let round = 0; round < STORE_LATENCY_ROUNDS; round += 1) {
          for (const entry of results) {
            const input =
              entry.kind === 'redis' && 'server' in redis
                ? { kind: 'redis' as const, url: redis.server.url }
                : { kind: entry.kind as 'memory' | 'file' };
            entry.rounds.push(await pipelineWithStore(input, drive));
          }
        }
        const row = storeLatencyRow(results);
        if (!('server' in redis)) row.result += `<br>Redis: not measured, ${redis.missing}`;
        return row;
      },
    );
  } finally {
    if ('server' in redis) await redis.server.dispose();
  }
}

function redisMissingRow(scenario: string, why: string): Row {
  return { scenario, measured: '—', result: `not measured: ${why}`, target: '—', verdict: 'info' };
}

async function main(): Promise<void> {
  const began = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'ftc-bench-'));
  const storePath = join(dir, 'state.json');
  const rows: Row[] = [];
  const step = (text: string): void => {
    process.stderr.write(`[bench ${s1(performance.now() - began)} s] ${text}\n`);
  };
  const measure = measurer(rows, step);
  // BENCH_ONLY=store runs scenario (f) alone (the stores); unset runs everything.
  const only = process.env.BENCH_ONLY;
  try {
    if (only === undefined || only === '') {
      await measure(
        '(a) pipeline overhead: 1,000 events/s for 1 s warm-up + 5 s',
        '(a) pipeline overhead',
        async () =>
          latencyRow(
            await pipelineUnpaced({
              storePath,
              ratePerS: 1_000,
              warmupMs: 1_000,
              measureMs: 5_000,
              chats: 1_000,
            }),
            'unpaced',
          ),
      );
      await measure('(a′) as shipped, 25 events/s for 4 s', '(a′) pipeline, as shipped', async () =>
        latencyRow(
          await pipelineShippedLowRate({
            storePath,
            ratePerS: 25,
            measureMs: 4_000,
            chats: 1_000,
            storedChats: false,
          }),
          'shipped',
        ),
      );
      await measure(
        '(a″) as shipped, 25 events/s for 4 s, every chat in the store',
        '(a″) pipeline, stored chats',
        async () =>
          latencyRow(
            await pipelineShippedLowRate({
              storePath,
              ratePerS: 25,
              measureMs: 4_000,
              chats: 1_000,
              storedChats: true,
            }),
            'shipped-stored',
          ),
      );
      await measure('(b1) fan-out as shipped', '(b1) fan-out, as shipped', async () =>
        fanoutRow(await fanout({ mode: 'shipped', storePath, chats: 100, perChat: 10, timeoutMs: 60_000 })),
      );
      await measure('(b2) fan-out, merging off (about 34 s)', '(b2) fan-out, merging off', async () =>
        fanoutRow(await fanout({ mode: 'no-merge', storePath, chats: 100, perChat: 10, timeoutMs: 60_000 })),
      );
      await measure(
        '(c) the shipped program: 10 bots, 1,000 chats, 1,000 notifications (about 50 s)',
        '(c) shipped program',
        async () => shippedRows(await shippedMemory({ tempDir: dir, bots: 10, chats: 1_000 })),
      );
      await measure('(d) demo start to banner, 5 runs', '(d) demo banner', async () =>
        bannerRow(await demoBanner({ tempDir: dir, runs: 5 })),
      );
      await measure(
        '(e) charts: cold and warm render per kind, event-loop delay in-thread and via the worker',
        '(e) charts',
        async () => chartsRows(await charts({ warmRuns: 10 })),
      );
    }
    if (only === undefined || only === '' || only === 'store') {
      await storeRows(dir, step, measure);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    `\n## freqtrade-chatops bench (Node ${process.version}, ${s1(performance.now() - began)} s, loopback only)\n`,
  );
  printTable(rows);
  console.log('');
}

main()
  .catch((error: unknown) => {
    console.error('bench failed:', error);
  })
  .finally(() => {
    // A report, not a test: always exit 0, even if a scenario left a handle open.
    process.exit(0);
  });
