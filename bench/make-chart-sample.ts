/**
 * `npm run chart-sample`: writes docs/chart-sample.png, the daily profit chart of the demo's
 * simulated Freqtrade, drawn by the real renderer. Starts the simulator in-process on a free
 * loopback port, asks it `/daily` as the bot would, builds the spec and renders it.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadChartRenderer, periodChartSpec } from '../src/charts/index.js';
import { timeUnitProfitSchema } from '../src/freqtrade/schemas.js';
import { startFakeFreqtrade } from '../src/simulator/freqtrade-server.js';

const OUTPUT = fileURLToPath(new URL('../docs/chart-sample.png', import.meta.url));

async function main(): Promise<void> {
  const username = 'sample';
  const password = 'sample-pass';
  const freqtrade = await startFakeFreqtrade({ seed: 'demo', username, password });
  try {
    const response = await fetch(`${freqtrade.url}/api/v1/daily?timescale=7`, {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });
    if (!response.ok) throw new Error(`/daily answered ${response.status}`);
    const daily = timeUnitProfitSchema.parse(await response.json());
    const renderer = await loadChartRenderer();
    const { png } = await renderer.render(periodChartSpec(daily, 'daily'));
    await renderer.close();
    await writeFile(OUTPUT, png);
    console.log(`wrote ${OUTPUT} (${png.byteLength} bytes)`);
  } finally {
    await freqtrade.close();
  }
}

await main();
