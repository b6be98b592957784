// Browser benchmark of live training (issue 5), in headless Chromium on the release build,
// with the default settings, timed from the click on Train:
//   - the time until the page shows ≥ 97 % test accuracy (2,000 held-out digits),
//   - the samples/s the page shows (median of its readings),
//   - main-thread long tasks (> 50 ms) from 1 s after the click until Pause,
//   - the kernel explorer's edit → repaint (convlab:update, coffee photo at working size
//     512) while training runs,
//   - the share of the worker's time spent on snapshots (the page prints it),
//   - memory: the page's JS heap and its wasm memories, early and at the end.
// Run: scripts/bench.sh, or `node bench_training.mjs` with CONVLAB_DIST set.
// BENCH_TRAIN_SECONDS (default 90) sets how long training runs; use 1800 for the
// 30-minute memory check. BENCH_DATASET=fashion trains on Fashion-MNIST instead of the
// digits (issue 12's target: 86 % test accuracy within 60 s).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, observeLongTasks, longTasksBetween } from './harness.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = process.env.CONVLAB_DIST ?? join(repo, 'dist');
const SECONDS = Number(process.env.BENCH_TRAIN_SECONDS ?? 90);
const FASHION = process.env.BENCH_DATASET === 'fashion';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const server = await serve(dist);
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
await observeLongTasks(context);
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await page.goto(server.url);
const section = page.getByRole('region', { name: 'Training', exact: true });
await page.waitForFunction(() => {
  const b = [...document.querySelectorAll('.training button')].find((x) => x.textContent.trim() === 'Train');
  return b && !b.disabled && /Test accuracy/.test(document.querySelector('.training-status .status')?.textContent);
}, null, { timeout: 60_000 });
if (FASHION) {
  await page.getByLabel('Dataset', { exact: true }).selectOption('Fashion-MNIST');
  await page.waitForFunction(() => /Loading/.test(document.querySelector('.training-status')?.textContent ?? ''), null, { timeout: 30_000 }).catch(() => {});
  await page.waitForFunction(() => {
    const b = [...document.querySelectorAll('.training button')].find((x) => x.textContent.trim() === 'Train');
    return b && !b.disabled && /Test accuracy/.test(document.querySelector('.training-status .status')?.textContent);
  }, null, { timeout: 60_000 });
}

/** JS heap in use, and the byte length of every WebAssembly.Memory in the page. */
async function memory() {
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const proto = await cdp.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
  const found = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
  const sizes = await cdp.send('Runtime.callFunctionOn', {
    objectId: found.objects.objectId,
    functionDeclaration: 'function () { return this.map((m) => m.buffer.byteLength); }',
    returnByValue: true,
  });
  return { js_heap_mb: +(heap.usedSize / 1e6).toFixed(1), wasm_mb: sizes.result.value.map((b) => +(b / 1e6).toFixed(1)) };
}

const statusText = () => page.evaluate(() => document.querySelector('.training-status .status')?.textContent ?? '');
const accuracyOf = (text) => Number((/Test accuracy (\d+(?:\.\d)?) %/.exec(text) ?? [])[1] ?? NaN);
const speedOf = (text) => Number(((/([\d,]+) samples\/s/.exec(text) ?? [])[1] ?? 'NaN').replace(/,/g, ''));

// The explorer as in its own benchmark's one-frame case: the coffee photo at working size 512.
await page.getByRole('button', { name: 'Sample: Coffee' }).click();
await page.waitForFunction(() => document.querySelector('.source-line')?.textContent.includes('coffee'));
await page.getByLabel('Working size', { exact: true }).selectOption('512');
await page.waitForFunction(() => /341/.test(document.querySelector('[data-stage=input] .shape')?.textContent));

await page.getByRole('button', { name: 'Train', exact: true }).click();
const clicked = await page.evaluate(() => performance.now());
const start = Date.now();
let reached97 = null;
let reached90 = null;
let reached86 = null;
let accuracyAt30 = null;
let accuracyAt60 = null;
const speeds = [];
const updates = [];
const cell = page.getByLabel('Kernel row 2 column 2', { exact: true });
let memoryEarly = null;
let edit = 0;
while ((Date.now() - start) / 1000 < SECONDS) {
  await page.waitForTimeout(250);
  const elapsed = (Date.now() - start) / 1000;
  const text = await statusText();
  const accuracy = accuracyOf(text);
  const speed = speedOf(text);
  if (elapsed > 3 && Number.isFinite(speed)) speeds.push(speed);
  if (reached90 === null && accuracy >= 90) reached90 = elapsed;
  if (reached86 === null && accuracy >= 86) reached86 = elapsed;
  if (accuracyAt60 === null && elapsed >= 60) accuracyAt60 = accuracy;
  if (reached97 === null && accuracy >= 97) reached97 = elapsed;
  if (accuracyAt30 === null && elapsed >= 30) accuracyAt30 = accuracy;
  if (memoryEarly === null && elapsed >= 10) memoryEarly = await memory();
  // One kernel edit a second while training runs: the explorer must stay at one frame.
  if (elapsed > 2 && Math.floor(elapsed) > edit && updates.length < 60) {
    edit = Math.floor(elapsed);
    const before = await page.evaluate(() => performance.getEntriesByName('convlab:update', 'measure').length);
    await cell.fill(updates.length % 2 ? '8' : '7');
    await page.waitForFunction((b) => performance.getEntriesByName('convlab:update', 'measure').length > b, before);
    updates.push(await page.evaluate(() => performance.getEntriesByName('convlab:update', 'measure').at(-1).duration));
  }
}
await page.getByRole('button', { name: 'Pause', exact: true }).click();
const paused = await page.evaluate(() => performance.now());
const longTasks = await longTasksBetween(page, clicked + 1000, paused);
const final = await statusText();
const share = await section.locator('text=/Snapshots for these pictures take/').textContent().catch(() => '');
const memoryEnd = await memory();
const results = {
  date: new Date().toISOString(),
  seconds: SECONDS,
  dataset: FASHION ? 'Fashion-MNIST' : 'MNIST digits',
  time_to_86_percent_s: reached86,
  time_to_90_percent_s: reached90,
  time_to_97_percent_s: reached97,
  test_accuracy_after_30_s: accuracyAt30,
  test_accuracy_after_60_s: accuracyAt60,
  final_status: final.replace(/\s+/g, ' ').trim(),
  samples_per_second_median: median(speeds),
  samples_per_second_min: Math.min(...speeds),
  long_tasks: longTasks,
  edit_repaint_during_training_ms: { n: updates.length, median: +median(updates).toFixed(2), p95: +quantile(updates, 0.95).toFixed(2) },
  snapshot_share: share.trim(),
  memory_after_10_s: memoryEarly,
  memory_at_end: memoryEnd,
};
console.log(JSON.stringify(results, null, 1));
await browser.close();
await server.close();
mkdirSync(join(repo, 'tests/e2e/artifacts'), { recursive: true });
writeFileSync(join(repo, 'tests/e2e/artifacts/bench_training.json'), JSON.stringify(results, null, 1));
