// Browser benchmark of the kernel explorer, in headless Chromium on the release build.
// Reads the page's own User Timing measures (see src/app/timing.rs):
//   convlab:update  — kernel edit (input event) → recompute → every map of every stage
//                     repainted
//   convlab:compute — the recomputation alone (conv + bias, ReLU, pool, in wasm)
// First one grayscale filter (the classic page), then the deep layers issue 10 names: RGB
// with 4 filters at 512, and 8 filters over RGB at 300.
//   convlab:load    — image file chosen → decoded → drawn
// Run: scripts/bench.sh (builds dist/ first), or `node bench.mjs` with CONVLAB_DIST set.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch } from './harness.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = process.env.CONVLAB_DIST ?? join(repo, 'dist');
const EDITS = Number(process.env.BENCH_EDITS ?? 60);
const coffee = readFileSync(join(repo, 'www/samples/coffee.jpg')).toString('base64');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const server = await serve(dist);
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, permissions: ['camera'] });
const page = await context.newPage();
await page.goto(server.url);
await page.waitForSelector('canvas.map');

const count = (name) => page.evaluate((n) => performance.getEntriesByName(n, 'measure').length, name);
const last = (name) => page.evaluate((n) => performance.getEntriesByName(n, 'measure').at(-1).duration, name);
async function waitForMeasure(name, before) {
  await page.waitForFunction(([n, b]) => performance.getEntriesByName(n, 'measure').length > b, [name, before], { timeout: 60_000 });
  return last(name);
}

/** Loads a JPEG of the coffee photograph scaled to width × height, made in the page. */
async function loadGenerated(width, height) {
  const before = await count('convlab:load');
  await page.evaluate(async ([b64, w, h]) => {
    const img = new Image();
    img.src = `data:image/jpeg;base64,${b64}`;
    await img.decode();
    const canvas = new OffscreenCanvas(w, h);
    canvas.getContext('2d').drawImage(img, 0, 0, w, h);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    const file = new File([blob], `coffee-${w}x${h}.jpg`, { type: 'image/jpeg' });
    const transfer = new DataTransfer();
    transfer.items.add(file);
    const input = document.querySelector('input[type=file]');
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, [coffee, width, height]);
  return waitForMeasure('convlab:load', before);
}

async function setWorkingSize(size) {
  const select = page.getByLabel('Working size', { exact: true });
  if ((await select.inputValue()) === String(size)) return;
  const before = await count('convlab:compute');
  await select.selectOption(String(size));
  await waitForMeasure('convlab:compute', before);
}

/** Edits the centre cell of `kernel` EDITS times; returns the update and compute durations. */
async function edits(kernel = 'Kernel') {
  const cell = page.getByLabel(`${kernel} row 2 column 2`, { exact: true });
  const updates = [];
  const computes = [];
  for (let i = 0; i < EDITS; i++) {
    const before = await count('convlab:update');
    await cell.fill(i % 2 ? '8' : '7');
    updates.push(await waitForMeasure('convlab:update', before));
    computes.push(await last('convlab:compute'));
  }
  return { updates, computes };
}

const results = [];
const report = (what, xs) => {
  const row = { what, n: xs.length, median_ms: +median(xs).toFixed(2), p95_ms: +quantile(xs, 0.95).toFixed(2) };
  results.push(row);
  console.log(`${what.padEnd(58)} median ${row.median_ms.toFixed(2).padStart(7)} ms   p95 ${row.p95_ms.toFixed(2).padStart(7)} ms   (n=${row.n})`);
};

// 512 on the real photograph (600 × 400, larger than 512), as the issue asks; the compute
// targets at exactly 300² and 1024² on a square crop of it scaled to 1200 × 1200.
await page.getByRole('button', { name: 'Sample: Coffee' }).click();
await page.waitForFunction(() => document.querySelector('.source-line').textContent.includes('coffee'));
async function measureAt(size, kernel = 'Kernel') {
  await setWorkingSize(size);
  const { updates, computes } = await edits(kernel);
  const shape = await page.locator('[data-stage=input] .shape').textContent();
  const filters = await page.locator('[data-stage=convolution] canvas.map').count();
  const layer = `${shape}, ${filters} filter${filters === 1 ? '' : 's'}`;
  report(`edit → repaint, working size ${size} (${layer})`, updates);
  report(`  compute only (conv + bias, ReLU, pool), ${layer}`, computes);
}
await measureAt(512);
await loadGenerated(1200, 1200);
await measureAt(300);
await measureAt(1024);
// Depth: RGB with 4 filters at 512 and 8 filters at 300, on the same square photograph.
async function setLayer(channels, filters) {
  const before = await count('convlab:compute');
  await page.getByLabel('Channels', { exact: true }).selectOption(channels);
  await waitForMeasure('convlab:compute', before);
  const again = await count('convlab:compute');
  await page.getByLabel('Filters', { exact: true }).selectOption(String(filters));
  await waitForMeasure('convlab:compute', again);
}
await setLayer('RGB', 4);
await measureAt(512, 'Filter 1 red');
await setLayer('RGB', 8);
await measureAt(300, 'Filter 1 red');
await setLayer('Grayscale', 1);
await setWorkingSize(300);
const loads = [];
for (let i = 0; i < 3; i++) loads.push(await loadGenerated(4000 + i * 2, 3000));
report('load a 12-megapixel JPEG (4000 × 3000) → all stages drawn', loads);

// The live camera (Chromium's fake one, 640 × 480 at 60 frames per second) at working size
// 300 with RGB and 4 filters: the frame rate the page itself shows, read once a second.
await setLayer('RGB', 4);
await setWorkingSize(300);
await page.getByRole('button', { name: 'Use camera', exact: true }).click();
await page.waitForFunction(() => /^Live: [\d.]+/.test(document.querySelector('.camera-status').textContent));
await page.waitForTimeout(2000);
const rates = [];
for (let i = 0; i < 10; i++) {
  await page.waitForTimeout(1000);
  rates.push(Number(/^Live: ([\d.]+)/.exec(await page.locator('.camera-status').textContent())[1]));
}
const fpsRow = { what: 'camera frames processed per second, 300, RGB, 4 filters', n: rates.length, median_fps: median(rates), min_fps: Math.min(...rates) };
results.push(fpsRow);
console.log(`${fpsRow.what.padEnd(58)} median ${fpsRow.median_fps.toFixed(1).padStart(7)} fps   min ${fpsRow.min_fps.toFixed(1)} fps (n=${rates.length}, camera delivers 60)`);
await page.getByRole('button', { name: 'Stop camera', exact: true }).click();

await browser.close();
await server.close();
mkdirSync(join(repo, 'tests/e2e/artifacts'), { recursive: true });
writeFileSync(join(repo, 'tests/e2e/artifacts/bench.json'), JSON.stringify({ date: new Date().toISOString(), results }, null, 1));
