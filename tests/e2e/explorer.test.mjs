// End-to-end tests of the kernel explorer (issue 3) against the BUILT app: a static server
// for the dist/ folder (CONVLAB_DIST, default <repo>/dist) and Debian's headless Chromium
// driven by playwright-core. Run: node --test --test-concurrency=1 explorer.test.mjs
//
// Every test opens its own browser context and page, and checks at the end that the page
// logged no console error, threw no page error and had no failed request.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { serve, launch, collectProblems } from './harness.mjs';

const run = promisify(execFile);

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const DIST = resolve(process.env.CONVLAB_DIST ?? join(REPO, 'dist'));
const FIXTURES = join(REPO, 'tests', 'fixtures', 'explorer');
const MANIFEST = JSON.parse(await readFile(join(FIXTURES, 'manifest.json'), 'utf8'));
const LAYER_FIXTURES = join(REPO, 'tests', 'fixtures', 'layer');
const LAYER_MANIFEST = JSON.parse(await readFile(join(LAYER_FIXTURES, 'manifest.json'), 'utf8'));
/** The page's names for TensorFlow's activations and poolings (tests/reference/make_layer_fixtures.py). */
const ACTIVATION_NAMES = { relu: 'ReLU', leaky_relu: 'Leaky ReLU', tanh: 'Tanh', sigmoid: 'Sigmoid', none: 'None' };
const POOLING_NAMES = { max: 'Max', average: 'Average' };

const STAGES = ['input', 'convolution', 'relu', 'max-pooling'];
const STAGE_NAMES = {
  input: 'Input',
  convolution: 'Convolution',
  relu: 'ReLU',
  'max-pooling': 'Max pooling',
};
const PRESET_NAMES = {
  outline: 'Outline',
  identity: 'Identity',
  sobel_x: 'Sobel x',
  sobel_y: 'Sobel y',
  emboss: 'Emboss',
  laplacian: 'Laplacian',
  sharpen: 'Sharpen',
};
const OUTLINE = [
  [-1, -1, -1],
  [-1, 8, -1],
  [-1, -1, -1],
];
// Generous but bounded.
const LOAD_TIMEOUT = 20_000;
const STEP_TIMEOUT = 10_000;

let server;
let browser;

/** A test with a bound: no single test may hang the suite. */
const e2e = (name, fn) => test(name, { timeout: 90_000 }, fn);

before(async () => {
  assert.ok(
    existsSync(join(DIST, 'index.html')),
    `no built app in ${DIST}: run \`trunk build --release\` first (or set CONVLAB_DIST)`,
  );
  server = await serve(DIST);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// ---------------------------------------------------------------------------------------
// Page helpers

/** Opens the app in a fresh context; collects every console error, page error and failed
 * request (a favicon 404 counts). Resolves once the first screen is processed. */
async function openPage(t, url = server.url, options = {}) {
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  if (options.permissions?.includes('camera')) {
    // Keeps the page's camera streams within reach, so a test can end one as an unplugged
    // camera would; `window.__cameraDelay` (ms) makes the camera slow to start.
    await context.addInitScript(() => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      window.__streams = [];
      window.__cameraDelay = 0;
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        await new Promise((resolve) => setTimeout(resolve, window.__cameraDelay));
        const stream = await original(constraints);
        window.__streams.push(stream);
        return stream;
      };
    });
  }
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const problems = collectProblems(page);
  page.on('requestfailed', (request) => {
    if (!request.url().startsWith('blob:')) {
      problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
    }
  });
  t.after(() => context.close());
  await page.goto(url, { waitUntil: 'load', timeout: LOAD_TIMEOUT });
  await waitIdle(page, LOAD_TIMEOUT);
  return { page, problems };
}

/** Fails the test if the page logged an error or panicked. */
function assertNoProblems(problems) {
  assert.deepEqual(problems, [], 'the page logged errors or had failed requests');
}

/** Waits until no load is under way and every stage canvas shown (three or four, as the
 * activation says) has a size, then lets the browser run the paint effects (two animation
 * frames). */
async function waitIdle(page, timeout = STEP_TIMEOUT) {
  await page.waitForFunction(
    () => {
      const canvases = [...document.querySelectorAll('figure.stage canvas.map')];
      return (
        !document.querySelector('p.notice.busy') &&
        canvases.length >= 3 &&
        canvases.every((c) => c.width > 0 && c.height > 0)
      );
    },
    null,
    { timeout },
  );
  await settle(page);
}

async function settle(page) {
  await page.evaluate(
    () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0)))),
  );
}

const stage = (page, s) => page.locator(`figure.stage[data-stage="${s}"]`);
const cell = (page, r, c) => page.getByLabel(`Kernel row ${r} column ${c}`, { exact: true });
const select = (page, label) => page.getByLabel(label, { exact: true });
const button = (page, name) => page.getByRole('button', { name, exact: true });

/** The shape a stage shows, "H × W × D", as [H, W]; `depth` is the D expected. */
async function shownShape(page, s, depth = 1) {
  const text = (await stage(page, s).locator('.shape').textContent()).trim();
  const m = /^(\d+)\s*×\s*(\d+)\s*×\s*(\d+)$/.exec(text);
  assert.ok(m, `${s}: shape text ${JSON.stringify(text)} is not "H × W × D"`);
  assert.equal(Number(m[3]), depth, `${s}: depth`);
  return [Number(m[1]), Number(m[2])];
}

async function shownShapes(page) {
  const out = {};
  for (const s of STAGES) out[s] = await shownShape(page, s);
  return out;
}

async function sourceLine(page) {
  return (await page.locator('p.source-line').textContent()).trim();
}

/** Size, FNV-1a hash and a few facts about the pixels of one stage's canvas (its first map,
 * or map `index`). */
async function canvasInfo(page, s, index = 0) {
  return page.evaluate(([s, index]) => {
    const c = document.querySelectorAll(`figure.stage[data-stage="${s}"] canvas.map`)[index];
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let hash = 2166136261;
    let uniform = true;
    let opaque = true;
    for (let i = 0; i < d.length; i++) {
      hash = Math.imul(hash ^ d[i], 16777619);
      if (d[i] !== d[i & 3]) uniform = false;
      if ((i & 3) === 3 && d[i] !== 255) opaque = false;
    }
    return {
      width: c.width,
      height: c.height,
      hash: hash >>> 0,
      uniform,
      opaque,
      first: Array.from(d.slice(0, 4)),
    };
  }, [s, index]);
}

async function allCanvases(page) {
  const out = {};
  for (const s of STAGES) out[s] = await canvasInfo(page, s);
  return out;
}

// Chromium drops a download started by script when more than about ten come in quick
// succession (seen here: with back-to-back clicks the 11th–14th never start, on any page,
// with or without the app); a user never clicks that fast, so the tests pace their clicks.
const DOWNLOAD_INTERVAL_MS = 200;
const lastDownload = new WeakMap();

/** Clicks a download button and resolves to the file's bytes and suggested name. */
async function download(page, name) {
  const wait = (lastDownload.get(page) ?? 0) + DOWNLOAD_INTERVAL_MS - Date.now();
  if (wait > 0) await page.waitForTimeout(wait);
  lastDownload.set(page, Date.now());
  const [dl] = await Promise.all([
    page.waitForEvent('download', { timeout: STEP_TIMEOUT }),
    button(page, name).click(),
  ]);
  const path = await dl.path();
  assert.ok(path, `${name}: the download failed (${await dl.failure()})`);
  return { bytes: await readFile(path), filename: dl.suggestedFilename() };
}

async function downloadNpy(page, s) {
  const { bytes, filename } = await download(page, `${STAGE_NAMES[s]} .npy`);
  assert.match(filename, /\.npy$/, `${s}: downloaded file name ${filename}`);
  return parseNpy(bytes, `${STAGE_NAMES[s]} .npy`);
}

/** Sets the nine cells by typing into each (fill → one input event per cell). */
async function setKernel(page, kernel) {
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      await cell(page, r + 1, c + 1).fill(String(kernel[r][c]));
    }
  }
}

async function kernelTexts(page) {
  const out = [];
  for (let r = 1; r <= 3; r++) {
    const row = [];
    for (let c = 1; c <= 3; c++) row.push(await cell(page, r, c).inputValue());
    out.push(row);
  }
  return out;
}

/** Loads a file through the `Load image` input and waits for it to be shown. */
async function upload(page, path) {
  await page.getByLabel('Load image', { exact: true }).setInputFiles(path);
  await waitForLoaded(page, basename(path));
}

/** Waits until the source line names `name` (success) or an error names it (failure). */
async function waitForLoaded(page, name, timeout = LOAD_TIMEOUT) {
  const handle = await page.waitForFunction(
    (name) => {
      if (document.querySelector('p.notice.busy')) return false;
      const error = document.querySelector('p.notice.error');
      if (error && error.textContent.includes(name)) return { error: error.textContent };
      const line = document.querySelector('p.source-line');
      if (line && line.textContent.includes(`“${name}”`)) return { ok: true };
      return false;
    },
    name,
    { timeout },
  );
  const result = await handle.jsonValue();
  assert.ok(result.ok, `loading ${name} failed: ${result.error}`);
  await waitIdle(page);
}

/** Uploads a file that must be refused; resolves to the error notice's text. */
async function uploadBad(page, path) {
  const name = basename(path);
  await page.getByLabel('Load image', { exact: true }).setInputFiles(path);
  const notice = page.locator('p.notice.error[role="alert"]', { hasText: name });
  await notice.waitFor({ timeout: LOAD_TIMEOUT });
  await page.waitForFunction(() => !document.querySelector('p.notice.busy'));
  await settle(page);
  return (await notice.textContent()).trim();
}

// ---------------------------------------------------------------------------------------
// File formats

/** A minimal .npy reader: magic, version, header dict, little-endian float data. */
function parseNpy(buf, what = 'npy') {
  assert.ok(buf.length >= 10, `${what}: too short for a .npy file`);
  assert.deepEqual([...buf.subarray(0, 6)], [0x93, ...Buffer.from('NUMPY')], `${what}: bad magic`);
  const major = buf[6];
  assert.ok([1, 2, 3].includes(major), `${what}: unknown .npy version ${major}`);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  assert.equal((start + headerLen) % 16, 0, `${what}: header not aligned`);
  assert.ok(header.endsWith('\n'), `${what}: header must end with a newline`);
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  assert.ok(descr && fortran && shapeText !== undefined, `${what}: bad header ${header}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const size = shape.reduce((a, b) => a * b, 1);
  const itemSize = { '<f4': 4, '<f8': 8 }[descr];
  assert.ok(itemSize, `${what}: unsupported dtype ${descr}`);
  const offset = start + headerLen;
  assert.equal(buf.length - offset, size * itemSize, `${what}: data length does not match shape`);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    data[i] =
      itemSize === 4 ? buf.readFloatLE(offset + 4 * i) : buf.readDoubleLE(offset + 8 * i);
  }
  return { descr, fortranOrder: fortran === 'True', shape, data, header };
}

/** Asserts a downloaded map is what the spec promises: `<f4`, C order, 2-D. */
function assertNpyFormat(npy, what) {
  assert.equal(npy.descr, '<f4', `${what}: dtype`);
  assert.equal(npy.fortranOrder, false, `${what}: fortran_order`);
  assert.equal(npy.shape.length, 2, `${what}: not 2-D: ${npy.header}`);
}

/** max |a − e| / (1 + |e|), with where it happens. */
function maxRelError(actual, expected) {
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(err <= worst)) {
      worst = err;
      at = i;
      if (Number.isNaN(err)) break;
    }
  }
  return { worst, at };
}

function assertClose(actual, expected, tolerance, what) {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const { worst, at } = maxRelError(actual.data, expected.data);
  const W = expected.shape[1];
  assert.ok(
    worst <= tolerance,
    `${what}: max |a−e|/(1+|e|) = ${worst} > ${tolerance} at (${Math.floor(at / W)}, ${at % W}): ` +
      `got ${actual.data[at]}, expected ${expected.data[at]}`,
  );
}

function assertAllFinite(npy, what) {
  const bad = npy.data.findIndex((v) => !Number.isFinite(v));
  assert.equal(bad, -1, `${what}: non-finite value ${npy.data[bad]} at index ${bad}`);
}

/** Width and height from a PNG's IHDR chunk (after checking the signature). */
function pngSize(buf, what = 'png') {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...buf.subarray(0, 8)], signature, `${what}: not a PNG`);
  assert.equal(buf.toString('latin1', 12, 16), 'IHDR', `${what}: first chunk is not IHDR`);
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A minimal 8-bit RGB PNG encoder: `rgb(x, y)` → [r, g, b]. */
function encodePng(width, height, rgb) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter, no interlace
  const raw = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + 3 * width);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) raw.set(rgb(x, y), row + 1 + 3 * x);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** TensorFlow-style conv2d (cross-correlation, zero padding, SAME or VALID) in plain JS. */
function conv2d(input, [H, W], kernel, stride, padding) {
  const f = 3;
  const out = (n) => (padding === 'SAME' ? Math.ceil(n / stride) : Math.floor((n - f) / stride) + 1);
  const pad = (n, o) => (padding === 'SAME' ? Math.floor(Math.max((o - 1) * stride + f - n, 0) / 2) : 0);
  const [OH, OW] = [out(H), out(W)];
  const [pt, pl] = [pad(H, OH), pad(W, OW)];
  const data = new Float64Array(OH * OW);
  for (let i = 0; i < OH; i++) {
    for (let j = 0; j < OW; j++) {
      let sum = 0;
      for (let a = 0; a < f; a++) {
        for (let b = 0; b < f; b++) {
          const y = i * stride - pt + a;
          const x = j * stride - pl + b;
          if (y >= 0 && y < H && x >= 0 && x < W) sum += kernel[a][b] * input[y * W + x];
        }
      }
      data[i * OW + j] = sum;
    }
  }
  return { shape: [OH, OW], data };
}

// ---------------------------------------------------------------------------------------
// 1. First screen

e2e('first screen: a bundled sample is already processed, four canvases, no errors', async (t) => {
  const { page, problems } = await openPage(t);
  await page.waitForLoadState('networkidle', { timeout: LOAD_TIMEOUT });
  assert.match(await page.title(), /ConvLab/);

  const figures = page.locator('figure.stage');
  assert.equal(await figures.count(), 4, 'four stages');
  const order = await figures.evaluateAll((fs) => fs.map((f) => f.dataset.stage));
  assert.deepEqual(order, STAGES);

  const source = await sourceLine(page);
  assert.match(source, /^“[^”]+\.(jpg|png)”, \d+ × \d+ pixels/, `source line: ${source}`);

  const shapes = await shownShapes(page);
  for (const s of STAGES) {
    const [h, w] = shapes[s];
    assert.ok(h > 0 && w > 0, `${s}: shape ${h} × ${w}`);
    const canvas = await canvasInfo(page, s);
    assert.deepEqual([canvas.height, canvas.width], [h, w], `${s}: one canvas pixel per value`);
    assert.ok(canvas.opaque, `${s}: every drawn pixel is opaque`);
    assert.ok(!canvas.uniform, `${s}: the sample's map is not blank`);
    const box = await stage(page, s).locator('canvas.map').boundingBox();
    assert.ok(box && box.width > 0 && box.height > 0, `${s}: the canvas is laid out`);

    const name = STAGE_NAMES[s];
    const canvasEl = page.getByRole('img', {
      name: `${name} feature map, ${h} × ${w} (height × width)`,
      exact: true,
    });
    assert.equal(await canvasEl.count(), 1, `${s}: canvas accessible name`);
    const summary = (await stage(page, s).locator('.summary').textContent()).trim();
    assert.ok(summary.startsWith(`${name}: ${h} × ${w}`), `${s}: summary ${summary}`);
    for (const kind of ['.npy', 'PNG']) {
      assert.equal(await button(page, `${name} ${kind}`).count(), 1, `${name} ${kind} button`);
    }
  }
  // The default pipeline: outline kernel, SAME, stride 1 → conv keeps the input's shape.
  assert.deepEqual(shapes.convolution, shapes.input);
  assert.deepEqual(shapes['max-pooling'], shapes.input.map((n) => Math.ceil(n / 2)));
  assert.deepEqual(await kernelTexts(page), OUTLINE.map((r) => r.map(String)));
  assert.equal(await select(page, 'Padding').inputValue(), 'SAME');
  assert.equal(await select(page, 'Stride').inputValue(), '1');
  assert.equal(await select(page, 'Working size').inputValue(), '300');
  assert.equal(await page.locator('p.notice.error').count(), 0, 'no error notice');

  // Give late requests (favicon) a moment, then nothing may have gone wrong.
  await page.waitForTimeout(300);
  assertNoProblems(problems);
});

// ---------------------------------------------------------------------------------------
// 2. Reference numbers from TensorFlow

/** The Python with numpy that reads the downloads, or `null` with the test skipped. */
function pythonOrSkip(t) {
  const python = process.env.CONVLAB_PYTHON;
  if (!python) t.skip('CONVLAB_PYTHON (a Python with numpy) is not set; scripts/test.sh sets it');
  return python || null;
}

// What a student takes to Python: numpy's own np.load reads the downloads, and the README's
// recipe conv2d(x, w) + b reproduces the Convolution file (check_exports.py).
e2e('the downloads load in numpy: kernels in HWIO, biases, and conv2d(x, w) + b', async (t) => {
  const python = pythonOrSkip(t);
  if (!python) return;
  const testCase = MANIFEST.cases.find((c) => c.stride === 1 && c.padding === 'SAME');
  const { page, problems } = await openPage(t);
  await upload(page, join(REPO, testCase.image));
  await select(page, 'Working size').selectOption(String(testCase.working_size));
  await setKernel(page, testCase.kernel);
  await page.getByLabel('Bias', { exact: true }).fill('0.25');
  await waitIdle(page);
  const directory = await mkdtemp(join(tmpdir(), 'convlab-exports-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  for (const name of ['Input .npy', 'Kernels .npy', 'Biases .npy', 'Convolution .npy']) {
    const { bytes, filename } = await download(page, name);
    await writeFile(join(directory, filename), bytes);
  }
  const { stdout } = await run(python, [
    join(HERE, 'check_exports.py'),
    directory,
    join(FIXTURES, testCase.files.convolution),
    JSON.stringify(testCase.kernel),
    '0.25',
  ]);
  assert.match(stdout, /check out/);
  assertNoProblems(problems);
});

// A 7 × 7 grayscale filter with a bias, typed cell by cell: TensorFlow's layer case whose
// input is one grayscale map and whose layer has one filter.
e2e('a 7 × 7 kernel with a bias matches TensorFlow; sizes keep the cells typed', async (t) => {
  const index = LAYER_MANIFEST.cases.findIndex((c) => c.channels === 'gray' && c.filters === 1);
  assert.ok(index >= 0, 'the manifest has a one-filter grayscale case');
  const testCase = LAYER_MANIFEST.cases[index];
  const { page, problems } = await openPage(t);
  await upload(page, join(REPO, testCase.image));
  await select(page, 'Working size').selectOption(String(testCase.working_size));
  // 3 → 5 keeps the outline in the middle with zeros around; back to 3 restores it.
  await select(page, 'Kernel size').selectOption('5');
  await waitIdle(page);
  assert.equal(await cell(page, 1, 1).inputValue(), '0');
  assert.equal(await cell(page, 3, 3).inputValue(), '8');
  assert.equal(await select(page, 'Preset').inputValue(), 'Custom');
  await select(page, 'Kernel size').selectOption('3');
  await waitIdle(page);
  assert.equal(await select(page, 'Preset').inputValue(), 'Outline');

  await select(page, 'Kernel size').selectOption('7');
  await waitIdle(page);
  const kernels = parseNpy(await readFile(join(LAYER_FIXTURES, testCase.files.kernels)), 'kernels');
  const biases = parseNpy(await readFile(join(LAYER_FIXTURES, testCase.files.biases)), 'biases');
  const f = testCase.kernel_size;
  assert.deepEqual(kernels.shape, [f, f, 1, 1]);
  for (let r = 0; r < f; r++) {
    for (let c = 0; c < f; c++) await cell(page, r + 1, c + 1).fill(String(kernels.data[r * f + c]));
  }
  await page.getByLabel('Bias', { exact: true }).fill(String(biases.data[0]));
  await select(page, 'Activation').selectOption(ACTIVATION_NAMES[testCase.activation]);
  await select(page, 'Pooling').selectOption(POOLING_NAMES[testCase.pooling]);
  await select(page, 'Stride').selectOption(String(testCase.stride));
  await select(page, 'Padding').selectOption(testCase.padding);
  await waitIdle(page);
  assert.equal(await page.locator('p.notice.error').count(), 0, 'no error notice');
  assert.match(await stage(page, 'convolution').locator('.caption').textContent(), /7×7 kernel \+ bias/);
  const pooling = `${POOLING_NAMES[testCase.pooling]} pooling`;
  for (const [name, key] of [['Convolution', 'convolution'], [ACTIVATION_NAMES[testCase.activation], 'activation'], [pooling, 'pooling']]) {
    const { bytes, filename } = await download(page, `${name} .npy`);
    const actual = parseNpy(bytes, filename);
    const expected = parseNpy(await readFile(join(LAYER_FIXTURES, testCase.files[key])), key);
    // The fixture is (H, W, 1): the page's one map is (H, W).
    assert.deepEqual(actual.shape, expected.shape.slice(0, 2), `${name}: shape`);
    assertClose(actual, { ...expected, shape: actual.shape }, 1e-4, `7 × 7 case, ${name}`);
  }
  assert.equal(await page.locator('section.probe .patch .cells span').count(), 49, 'the probe shows a 7 × 7 patch');
  assertNoProblems(problems);
});

for (const [index, testCase] of LAYER_MANIFEST.page_cases.entries()) {
  const activation = ACTIVATION_NAMES[testCase.activation];
  const pooling = `${POOLING_NAMES[testCase.pooling]} pooling`;
  const label =
    `layer case ${index}: ${basename(testCase.image)}, bias ${testCase.bias}, ` +
    `${activation}, ${pooling}, stride ${testCase.stride}, ${testCase.padding}`;
  e2e(`bias, activation and pooling match TensorFlow, ${label}`, async (t) => {
    const { page, problems } = await openPage(t);
    await upload(page, join(REPO, testCase.image));
    await select(page, 'Working size').selectOption(String(testCase.working_size));
    await setKernel(page, testCase.kernel);
    await page.getByLabel('Bias', { exact: true }).fill(String(testCase.bias));
    await select(page, 'Activation').selectOption(activation);
    await select(page, 'Pooling').selectOption(POOLING_NAMES[testCase.pooling]);
    await select(page, 'Stride').selectOption(String(testCase.stride));
    await select(page, 'Padding').selectOption(testCase.padding);
    await waitIdle(page);
    assert.equal(await page.locator('p.notice.error').count(), 0, 'no error notice');

    // Titles and downloads follow the choices; with no activation its stage is not shown.
    const titles = await page.locator('figure.stage h3').allTextContents();
    const expectedTitles = ['Input', 'Convolution', ...(testCase.activation === 'none' ? [] : [activation]), pooling];
    assert.deepEqual(titles.map((x) => x.trim()), expectedTitles);
    const stages = [['Convolution', 'convolution'], [pooling, 'pooling']];
    if (testCase.activation !== 'none') stages.push([activation, 'activation']);
    for (const [name, key] of stages) {
      const { bytes, filename } = await download(page, `${name} .npy`);
      assert.match(filename, new RegExp(`^convlab-${name.toLowerCase().replace(/ /g, '-')}-\\d+x\\d+\\.npy$`));
      const actual = parseNpy(bytes, filename);
      const expected = parseNpy(await readFile(join(LAYER_FIXTURES, testCase.files[key])), testCase.files[key]);
      assert.deepEqual(actual.shape, testCase.shapes[key], `${name}: shape`);
      assertClose(actual, expected, 1e-4, `${label}, ${name}`);
    }
    const probe = await page.locator('section.probe').textContent();
    if (testCase.bias !== 0) assert.match(probe, /sum of the products \+ bias/);
    assert.match(probe, new RegExp(pooling));
    assertNoProblems(problems);
  });
}

// ---------------------------------------------------------------------------------------
// Depth: RGB input, several filters, TensorFlow's layouts

/** The page's name for a kernel cell (filter, channel and row/column from 0). */
function cellName(testCase, k, c, r, col) {
  const single = testCase.filters === 1 && testCase.channels === 'gray';
  const channel = testCase.channels === 'rgb' ? ` ${['red', 'green', 'blue'][c]}` : '';
  const kernel = single ? 'Kernel' : `Filter ${k + 1}${channel}`;
  return `${kernel} row ${r + 1} column ${col + 1}`;
}

/** Sets the page's layer to a layer fixture case: structure, every cell, biases, settings. */
async function setLayer(page, testCase) {
  await upload(page, join(REPO, testCase.image));
  await select(page, 'Working size').selectOption(String(testCase.working_size));
  await select(page, 'Channels').selectOption(testCase.channels === 'rgb' ? 'RGB' : 'Grayscale');
  await select(page, 'Filters').selectOption(String(testCase.filters));
  await select(page, 'Kernel size').selectOption(String(testCase.kernel_size));
  await waitIdle(page);
  const kernels = parseNpy(await readFile(join(LAYER_FIXTURES, testCase.files.kernels)), 'kernels');
  const biases = parseNpy(await readFile(join(LAYER_FIXTURES, testCase.files.biases)), 'biases');
  const [f, , C, K] = kernels.shape;
  // Every cell typed as a student would, but in one go (hundreds of cells): the value set
  // and an input event per cell, through the same handler as typing.
  const cells = [];
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < C; c++) {
      for (let r = 0; r < f; r++) {
        for (let col = 0; col < f; col++) {
          const value = kernels.data[((r * f + col) * C + c) * K + k];
          cells.push([cellName(testCase, k, c, r, col), String(value)]);
        }
      }
    }
  }
  const missing = await page.evaluate((cells) => {
    const missing = [];
    for (const [name, value] of cells) {
      const input = document.querySelector(`input[aria-label="${name}"]`);
      if (!input) {
        missing.push(name);
        continue;
      }
      input.value = value;
      input.dispatchEvent(new InputEvent('input', { bubbles: true }));
    }
    return missing;
  }, cells);
  assert.deepEqual(missing, [], 'every cell has its name');
  for (let k = 0; k < K; k++) {
    const name = K === 1 ? 'Bias' : `Filter ${k + 1} bias`;
    await page.getByLabel(name, { exact: true }).fill(String(biases.data[k]));
  }
  await select(page, 'Activation').selectOption(ACTIVATION_NAMES[testCase.activation]);
  await select(page, 'Pooling').selectOption(POOLING_NAMES[testCase.pooling]);
  await select(page, 'Stride').selectOption(String(testCase.stride));
  await select(page, 'Padding').selectOption(testCase.padding);
  await waitIdle(page);
  assert.equal(await page.locator('p.notice.error').count(), 0, 'no error notice');
  assert.equal(await page.locator('.kernel-message.error').count(), 0, 'every cell and bias is valid');
}

for (const [index, testCase] of LAYER_MANIFEST.cases.entries()) {
  if (testCase.channels === 'gray' && testCase.filters === 1) continue;
  const activation = ACTIVATION_NAMES[testCase.activation];
  const pooling = `${POOLING_NAMES[testCase.pooling]} pooling`;
  const label =
    `layer case ${index}: ${basename(testCase.image)} ${testCase.channels}, ${testCase.filters} filters ` +
    `${testCase.kernel_size}×${testCase.kernel_size}, ${activation}, ${pooling}, stride ${testCase.stride}, ${testCase.padding}`;
  e2e(`the whole layer matches TensorFlow in TensorFlow's layouts, ${label}`, async (t) => {
    const { page, problems } = await openPage(t);
    await setLayer(page, testCase);
    const depth = testCase.channels === 'rgb' ? 3 : 1;
    const [h, w] = testCase.shapes.input;
    assert.deepEqual(await shownShape(page, 'input', depth), [h, w]);
    const convSlug = 'convolution';
    assert.deepEqual(await shownShape(page, convSlug, testCase.filters), testCase.shapes.convolution.slice(0, 2));
    // One map per filter on each computed stage, one per channel (and the color picture) on the input.
    assert.equal(await stage(page, convSlug).locator('canvas.map').count(), testCase.filters);
    assert.equal(await stage(page, 'input').locator('canvas.map').count(), depth === 3 ? 4 : 1);
    const files = [
      ['Input .npy', 'input'],
      ['Kernels .npy', 'kernels'],
      ['Biases .npy', 'biases'],
      ['Convolution .npy', 'convolution'],
      [`${pooling} .npy`, 'pooling'],
    ];
    if (testCase.activation !== 'none') files.push([`${activation} .npy`, 'activation']);
    for (const [name, key] of files) {
      const { bytes, filename } = await download(page, name);
      const actual = parseNpy(bytes, filename);
      const expected = parseNpy(await readFile(join(LAYER_FIXTURES, testCase.files[key])), key);
      // A grayscale input is (H, W); everything else is TensorFlow's (H, W, C) or (f, f, C, K).
      const shape = key === 'input' && depth === 1 ? expected.shape.slice(0, 2) : expected.shape;
      assert.deepEqual(actual.shape, shape, `${name}: shape`);
      assert.match(filename, new RegExp(`-${shape.join('x')}\\.npy$`), `${name}: file name`);
      assertAllFinite(actual, name);
      assertClose(actual, { ...expected, shape }, key === 'kernels' || key === 'biases' ? 0 : 1e-4, `${label}, ${name}`);
    }
    // PNG: one sheet per stage, its maps side by side 4 pixels apart.
    const { bytes } = await download(page, 'Convolution PNG');
    const [ch, cw, k] = testCase.shapes.convolution;
    assert.deepEqual(pngSize(bytes, 'Convolution PNG'), { width: k * cw + (k - 1) * 4, height: ch });
    assertNoProblems(problems);
  });
}

// What a student takes to Python from a deep layer: numpy's own np.load reads every file,
// and conv2d(x[None], w, strides, padding)[0] + b, done in numpy, gives the Convolution file.
e2e('the layer downloads load in numpy and conv2d(x, w) + b reproduces them, over RGB', async (t) => {
  const python = pythonOrSkip(t);
  if (!python) return;
  const index = LAYER_MANIFEST.cases.findIndex((c) => c.channels === 'rgb' && c.stride > 1);
  const testCase = LAYER_MANIFEST.cases[index];
  const { page, problems } = await openPage(t);
  await setLayer(page, testCase);
  const directory = await mkdtemp(join(tmpdir(), 'convlab-layer-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const activation = ACTIVATION_NAMES[testCase.activation];
  const names = ['Input .npy', 'Kernels .npy', 'Biases .npy', 'Convolution .npy',
    `${POOLING_NAMES[testCase.pooling]} pooling .npy`];
  if (testCase.activation !== 'none') names.push(`${activation} .npy`);
  for (const name of names) {
    const { bytes, filename } = await download(page, name);
    await writeFile(join(directory, filename), bytes);
  }
  const { stdout } = await run(python, [
    join(HERE, 'check_exports.py'),
    '--layer',
    directory,
    join(LAYER_FIXTURES, 'manifest.json'),
    String(index),
  ]);
  assert.match(stdout, /check out/);
  assertNoProblems(problems);
});

for (const [index, testCase] of MANIFEST.cases.entries()) {
  const label =
    `case ${index}: ${basename(testCase.image)} at ${testCase.working_size}, ` +
    `${testCase.kernel_name}, stride ${testCase.stride}, ${testCase.padding}`;
  e2e(`reference numbers, ${label}`, async (t) => {
    const { page, problems } = await openPage(t);
    const imagePath = join(REPO, testCase.image);
    await upload(page, imagePath);

    await select(page, 'Working size').selectOption(String(testCase.working_size));
    await setKernel(page, testCase.kernel);
    await select(page, 'Stride').selectOption(String(testCase.stride));
    await select(page, 'Padding').selectOption(testCase.padding);
    await waitIdle(page);

    assert.equal(await page.locator('p.notice.error').count(), 0, 'no error notice');
    assert.equal(await select(page, 'Working size').inputValue(), String(testCase.working_size));
    assert.equal(await select(page, 'Stride').inputValue(), String(testCase.stride));
    assert.equal(await select(page, 'Padding').inputValue(), testCase.padding);
    const presetName = PRESET_NAMES[testCase.kernel_name];
    if (presetName) assert.equal(await select(page, 'Preset').inputValue(), presetName);
    assert.ok((await sourceLine(page)).includes(`“${basename(testCase.image)}”`));
    assert.match(
      await stage(page, 'convolution').locator('.caption').textContent(),
      new RegExp(`stride ${testCase.stride}, ${testCase.padding} padding`),
    );

    const shapes = await shownShapes(page);
    for (const s of STAGES) {
      assert.deepEqual(shapes[s], testCase.shapes[s], `${s}: shown shape`);
      const canvas = await canvasInfo(page, s);
      assert.deepEqual([canvas.height, canvas.width], testCase.shapes[s], `${s}: canvas size`);
    }

    for (const s of STAGES) {
      const actual = await downloadNpy(page, s);
      assertNpyFormat(actual, `${s}.npy`);
      const expected = parseNpy(await readFile(join(FIXTURES, testCase.files[s])), testCase.files[s]);
      assert.deepEqual(actual.shape, testCase.shapes[s], `${s}.npy: shape`);
      assertClose(actual, expected, s === 'input' ? 2e-5 : 1e-4, `${label}, ${s}`);
    }

    // One PNG per case, rotating through the stages: a valid PNG of the stage's shape
    // holding exactly the colours drawn on the canvas.
    const s = STAGES[index % STAGES.length];
    const { bytes, filename } = await download(page, `${STAGE_NAMES[s]} PNG`);
    assert.match(filename, /\.png$/);
    const { width, height } = pngSize(bytes, `${s}.png`);
    assert.deepEqual([height, width], testCase.shapes[s], `${s}.png: IHDR size`);
    const decoded = await page.evaluate(
      async ({ b64, s }) => {
        const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
        const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }), {
          colorSpaceConversion: 'none',
          premultiplyAlpha: 'none',
        });
        const scratch = document.createElement('canvas');
        scratch.width = bitmap.width;
        scratch.height = bitmap.height;
        const ctx = scratch.getContext('2d');
        ctx.drawImage(bitmap, 0, 0);
        const png = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
        const c = document.querySelector(`figure.stage[data-stage="${s}"] canvas.map`);
        const drawn = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let differing = 0;
        for (let i = 0; i < drawn.length; i++) if (png[i] !== drawn[i]) differing++;
        return { differing, sameLength: png.length === drawn.length };
      },
      { b64: bytes.toString('base64'), s },
    );
    assert.ok(decoded.sameLength, `${s}.png decodes to the canvas size`);
    assert.equal(decoded.differing, 0, `${s}.png holds the colours drawn on the canvas`);

    assertNoProblems(problems);
  });
}

// ---------------------------------------------------------------------------------------
// 3. Live edit

e2e('dist/ works from a sub-folder of a plain static server (how a school hosts it)', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'convlab-host-'));
  mkdirSync(join(root, 'courses'));
  symlinkSync(DIST, join(root, 'courses', 'convlab'));
  const host = await serve(root);
  t.after(() => host.close());
  const { page, problems } = await openPage(t, `${host.url}courses/convlab/`);
  const shape = await page.locator('figure.stage[data-stage="convolution"] .shape').textContent();
  assert.match(shape, /^\d+ × \d+ × 1$/);
  assertNoProblems(problems);
});

e2e('the probe spells out the numbers of the pixel under the pointer', async (t) => {
  const { page, problems } = await openPage(t);
  const canvas = page.locator('figure.stage[data-stage="convolution"] canvas.map');
  const box = await canvas.boundingBox();
  const [h, w] = (await page.locator('figure.stage[data-stage="convolution"] .shape').textContent())
    .split(' × ')
    .map(Number);
  // Point at the pixel 30 % across and 40 % down. A map drawn smaller than its size on
  // screen cannot be hit to the pixel, so the probe may land a pixel or two away: read where
  // it landed, check it is close, and check the numbers at that position.
  const [aimRow, aimCol] = [Math.floor(0.4 * h), Math.floor(0.3 * w)];
  await page.mouse.move(box.x + ((aimCol + 0.5) / w) * box.width, box.y + ((aimRow + 0.5) / h) * box.height);
  const heading = page.locator('#probe-heading');
  await page.waitForFunction(
    ([r, c]) => {
      const m = /output row (\d+), column (\d+)/.exec(document.querySelector('#probe-heading').textContent);
      return m && Math.abs(m[1] - 1 - r) <= 2 && Math.abs(m[2] - 1 - c) <= 2;
    },
    [aimRow, aimCol],
  );
  const [, shownRow, shownCol] = /output row (\d+), column (\d+)/.exec(await heading.textContent()).map(Number);
  const [row, col] = [shownRow - 1, shownCol - 1];
  const num = (text) => Number(text.replace('−', '-').replace(' (pad)', ''));
  const cells = async (cls) =>
    (await page.locator(`.probe .mini-grid.${cls} .cells span`).allTextContents()).map(num);
  const [patch, weights] = [await cells('patch'), await cells('weights')];
  assert.deepEqual(weights, OUTLINE.flat());
  // The patch is the input under the kernel: compare with the downloaded input.
  const input = await downloadNpy(page, 'input');
  const conv = await downloadNpy(page, 'convolution');
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      const [y, x] = [row - 1 + r, col - 1 + c];
      const expected = y < 0 || x < 0 || y >= h || x >= w ? 0 : input.data[y * w + x];
      assert.ok(Math.abs(patch[r * 3 + c] - expected) < 5e-4, `patch ${r},${c}`);
    }
  }
  const results = await page.locator('.probe .probe-result').allTextContents();
  const shown = num(/= (\S+)$/.exec(results[0])[1]);
  const actual = conv.data[row * w + col];
  assert.ok(Math.abs(shown - actual) <= 5e-4 * (1 + Math.abs(actual)), `${shown} vs ${actual}`);
  assert.match(results[1], /^ReLU = max\(0, /);
  assert.match(results[2], /^Max pooling, cell row \d+, column \d+ = /);
  // The probed regions are outlined on every stage.
  assert.equal(await page.locator('.probe-box').count(), 4);
  assertNoProblems(problems);
});

e2e('live edit: a cell applies as you type, records convlab:update, accepts −', async (t) => {
  const { page, problems } = await openPage(t);
  const measures = () =>
    page.evaluate(() =>
      performance.getEntriesByName('convlab:update', 'measure').map((m) => ({
        start: m.startTime,
        end: m.startTime + m.duration,
        type: m.entryType,
      })),
    );
  const before = await canvasInfo(page, 'convolution');
  const beforeOthers = await allCanvases(page);
  const measuresBefore = (await measures()).length;

  // Centre 8 → 4, typed with the keyboard.
  const centre = cell(page, 2, 2);
  await centre.click();
  await page.keyboard.press('Control+A');
  const editStart = await page.evaluate(() => performance.now());
  await page.keyboard.type('4');
  await page.waitForFunction(
    ({ hash }) => {
      const c = document.querySelector('figure.stage[data-stage="convolution"] canvas.map');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let h = 2166136261;
      for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
      return h >>> 0 !== hash;
    },
    before,
  );
  await settle(page);
  const after = await canvasInfo(page, 'convolution');
  assert.notEqual(after.hash, before.hash, 'the convolution canvas changed');
  assert.equal(await centre.getAttribute('aria-invalid'), 'false');
  assert.equal((await allCanvases(page)).input.hash, beforeOthers.input.hash, 'input unchanged');

  await page.waitForFunction(
    (n) => performance.getEntriesByName('convlab:update', 'measure').length > n,
    measuresBefore,
  );
  const recorded = await measures();
  const last = recorded.at(-1);
  assert.equal(last.type, 'measure');
  assert.ok(last.start >= editStart, `the measure starts at the edit (${last.start} ≥ ${editStart})`);
  assert.ok(last.end >= last.start, 'a measure with a duration');
  assert.match(await page.locator('.kernel-sum').textContent(), /Sum of weights: −4\b/);
  assert.equal(await select(page, 'Preset').inputValue(), 'Custom');

  // A typographic minus, as textbooks print it.
  const corner = cell(page, 1, 1);
  await corner.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('−2');
  await page.waitForFunction(
    (hash) => {
      const c = document.querySelector('figure.stage[data-stage="convolution"] canvas.map');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let h = 2166136261;
      for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
      return h >>> 0 !== hash;
    },
    after.hash,
  );
  await settle(page);
  assert.equal(await corner.inputValue(), '−2');
  assert.equal(await corner.getAttribute('aria-invalid'), 'false', '−2 is accepted');
  assert.equal(await page.locator('#kernel-message[role="alert"]').count(), 0, 'no kernel error');
  assert.match(await page.locator('.kernel-sum').textContent(), /Sum of weights: −5\b/);

  // The numbers: the convolution of the downloaded input by the typed kernel.
  const input = await downloadNpy(page, 'input');
  const conv = await downloadNpy(page, 'convolution');
  const kernel = [
    [-2, -1, -1],
    [-1, 4, -1],
    [-1, -1, -1],
  ];
  const expected = conv2d(input.data, input.shape, kernel, 1, 'SAME');
  assertClose(conv, expected, 1e-4, 'convolution after the edits');

  assertNoProblems(problems);
});

// ---------------------------------------------------------------------------------------
// 4. Bad kernel input, a zero kernel and huge weights

e2e('bad kernel input: the cell is marked, a message says why, nothing else changes', async (t) => {
  const { page, problems } = await openPage(t);
  const canvasesBefore = await allCanvases(page);
  const npyBefore = {};
  for (const s of STAGES) npyBefore[s] = await downloadNpy(page, s);

  const centre = cell(page, 2, 2);
  const message = page.locator('#kernel-message');
  const cases = [
    { text: 'abc', says: /not a number/i, quoted: true },
    { text: '1e400', says: /too large/i, quoted: true },
    { text: '', says: /empty/i, quoted: false },
  ];
  for (const { text, says, quoted } of cases) {
    await centre.fill(text);
    await page.waitForFunction(() =>
      document.querySelector('[aria-label="Kernel row 2 column 2"]')?.getAttribute('aria-invalid') === 'true',
    );
    await settle(page);
    assert.equal(await centre.inputValue(), text, 'the cell keeps what was typed');
    assert.equal(await message.getAttribute('role'), 'alert', `${JSON.stringify(text)}: message is an alert`);
    const said = (await message.textContent()).trim();
    assert.match(said, says, `${JSON.stringify(text)}: message ${said}`);
    assert.match(said, /row 2, column 2/i, `${JSON.stringify(text)}: message names the cell`);
    if (quoted) assert.ok(said.includes(text), `${JSON.stringify(text)}: message quotes the text`);
    assert.match(said, /last valid kernel stays/i);
    assert.equal(
      await centre.getAttribute('aria-describedby'),
      'kernel-message',
      'the message describes the cell',
    );

    const canvasesNow = await allCanvases(page);
    for (const s of STAGES) {
      assert.equal(canvasesNow[s].hash, canvasesBefore[s].hash, `${JSON.stringify(text)}: ${s} canvas unchanged`);
    }
    for (const s of STAGES) {
      const now = await downloadNpy(page, s);
      assert.deepEqual(now.shape, npyBefore[s].shape);
      assert.deepEqual(now.data, npyBefore[s].data, `${JSON.stringify(text)}: ${s}.npy keeps the old values`);
    }
  }

  // Fixing the cell clears the error.
  await centre.fill('8');
  await page.waitForFunction(() => !document.querySelector('#kernel-message[role="alert"]'));
  assert.equal(await centre.getAttribute('aria-invalid'), 'false');
  assert.equal(await select(page, 'Preset').inputValue(), 'Outline');
  await settle(page);
  assert.equal((await canvasInfo(page, 'convolution')).hash, canvasesBefore.convolution.hash);

  assertNoProblems(problems);
});

e2e('a kernel of all zeros draws a flat map that says so, never NaN', async (t) => {
  const { page, problems } = await openPage(t);
  await setKernel(page, [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ]);
  await waitIdle(page);
  await page.waitForFunction(() =>
    /every value is 0\b/.test(
      document.querySelector('figure.stage[data-stage="convolution"] .summary')?.textContent ?? '',
    ),
  );
  assert.equal(await page.locator('#kernel-message[role="alert"]').count(), 0, 'zeros are valid');
  for (const s of ['convolution', 'relu', 'max-pooling']) {
    const summary = await stage(page, s).locator('.summary').textContent();
    assert.match(summary, /every value is 0\b/, `${s}: summary says the map is flat: ${summary}`);
    assert.doesNotMatch(summary, /NaN/);
    const canvas = await canvasInfo(page, s);
    assert.ok(canvas.uniform, `${s}: one colour everywhere`);
    assert.ok(canvas.opaque, `${s}: opaque (no NaN → transparent pixels)`);
    const npy = await downloadNpy(page, s);
    assertAllFinite(npy, `${s}.npy`);
    assert.ok(npy.data.every((v) => v === 0), `${s}.npy: all zero`);
  }
  // Diverging map centred on 0: a flat 0 is its white middle, not an end colour.
  const conv = await canvasInfo(page, 'convolution');
  assert.ok(conv.first.slice(0, 3).every((c) => c >= 200), `0 drawn near-white: ${conv.first}`);
  // The legend says it is flat: its bar is one colour (plotters text is not in the DOM).
  const legend = await page.evaluate(() => {
    const c = document.querySelector('figure.stage[data-stage="convolution"] canvas.legend');
    const ratio = window.devicePixelRatio;
    const y = Math.round(9 * ratio);
    const d = c.getContext('2d').getImageData(0, y, c.width, 1).data;
    const x0 = Math.round(8 * ratio);
    const x1 = c.width - Math.round(8 * ratio);
    const colours = new Set();
    for (let x = x0; x < x1; x++) colours.add(`${d[4 * x]},${d[4 * x + 1]},${d[4 * x + 2]}`);
    return { width: c.width, colours: colours.size };
  });
  assert.ok(legend.width > 0, 'a legend is drawn');
  assert.equal(legend.colours, 1, 'a flat legend bar');
  assertNoProblems(problems);
});

e2e('huge weights (1e30) draw, and the downloads stay finite', async (t) => {
  const { page, problems } = await openPage(t);
  const before = await canvasInfo(page, 'convolution');
  await page.evaluate(() => {
    const c = document.querySelector('figure.stage[data-stage="convolution"] canvas.map');
    window.__outlinePixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  });
  await setKernel(page, [
    ['-1e30', '-1e30', '-1e30'],
    ['-1e30', '8e30', '-1e30'],
    ['-1e30', '-1e30', '-1e30'],
  ]);
  await waitIdle(page);
  assert.equal(await page.locator('#kernel-message[role="alert"]').count(), 0, '1e30 is valid');
  for (const s of STAGES) {
    const summary = await stage(page, s).locator('.summary').textContent();
    assert.doesNotMatch(summary, /NaN|inf/i, `${s}: ${summary}`);
    const canvas = await canvasInfo(page, s);
    assert.ok(canvas.opaque, `${s}: opaque`);
    const npy = await downloadNpy(page, s);
    assertAllFinite(npy, `${s}.npy`);
  }
  // Same picture as the outline kernel (1e30 × the same weights), same colours.
  const conv = await canvasInfo(page, 'convolution');
  assert.ok(!conv.uniform, 'an edge map, not a flat one');
  assert.deepEqual([conv.width, conv.height], [before.width, before.height]);
  // Scaling every weight by 1e30 keeps the picture (up to float32 rounding at colour steps).
  const differing = await page.evaluate(() => {
    const c = document.querySelector('figure.stage[data-stage="convolution"] canvas.map');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i++) if (Math.abs(d[i] - window.__outlinePixels[i]) > 2) n++;
    return n / d.length;
  });
  assert.ok(differing < 0.01, `the 1e30 outline looks like the outline (${differing} differ)`);
  const convNpy = await downloadNpy(page, 'convolution');
  const peak = Math.max(...convNpy.data.map(Math.abs));
  assert.ok(peak > 1e29, `values scale with the weights (peak ${peak})`);
  const summary = await stage(page, 'convolution').locator('.summary').textContent();
  assert.match(summary, /e30/, `the summary shows the huge range: ${summary}`);
  assertNoProblems(problems);
});

// ---------------------------------------------------------------------------------------
// 5. Bad files

const BAD_FILES = [
  ['bad_empty.png', /empty/i],
  ['bad_not_an_image.txt', /not an image/i],
  ['bad_truncated.png', /truncated or corrupt/i],
  ['bad_corrupt.png', /truncated or corrupt/i],
  ['bad_bomb.png', /megapixels/i],
  ['bad_animated.gif', /animated/i],
  ['bad_16bit.png', /16 bits/i],
  ['bad_cmyk.jpg', /CMYK/],
  ['bad_no_scan.jpg', /truncated or corrupt.*ends before its image data/i],
  ['bad_empty_scan.jpg', /truncated or corrupt.*ends before its image data/i],
  ['bad_no_idat.png', /truncated or corrupt/i],
  ['bad_no_frames.gif', /truncated or corrupt/i],
  ['bad_no_bitstream.webp', /truncated or corrupt/i],
];

e2e('every bad file gets a clear message, and the previous image and results stay', async (t) => {
  const { page, problems } = await openPage(t);
  // Start from a known, non-default image.
  await upload(page, join(FIXTURES, 'odd_rgb.png'));
  const source = await sourceLine(page);
  const canvases = await allCanvases(page);
  const shapes = await shownShapes(page);
  const inputNpy = await downloadNpy(page, 'input');

  // One subtest per file on the same page, so a wrong message for one file does not hide
  // the others; each starts from the same, unchanged state.
  for (const [file, says] of BAD_FILES) {
    await t.test(file, async () => {
      const text = await uploadBad(page, join(FIXTURES, file));
      assert.match(text, says, `${file}: message ${text}`);
      assert.match(text, /previous image stays/i, `${file}: says nothing was lost`);
      assert.equal(await sourceLine(page), source, `${file}: source line unchanged`);
      assert.deepEqual(await shownShapes(page), shapes, `${file}: shapes unchanged`);
      const now = await allCanvases(page);
      for (const s of STAGES) {
        assert.equal(now[s].hash, canvases[s].hash, `${file}: ${s} canvas unchanged`);
      }
      // The controls are usable again after the attempt.
      assert.equal(await page.getByLabel('Load image', { exact: true }).isEnabled(), true);
    });
  }
  const inputAfter = await downloadNpy(page, 'input');
  assert.deepEqual(inputAfter.data, inputNpy.data, 'input values unchanged');

  // Nothing panicked: a good file still loads and clears the message.
  await upload(page, join(FIXTURES, 'alpha_rgba.png'));
  assert.equal(await page.locator('p.notice.error').count(), 0, 'the error notice is gone');
  assert.deepEqual(await shownShape(page, 'input'), [28, 19]);
  assertNoProblems(problems);
});

// ---------------------------------------------------------------------------------------
// 6. VALID on an image too small

e2e('VALID padding on a 2×2 image is refused: message, SAME again, results unchanged', async (t) => {
  const { page, problems } = await openPage(t);
  const tiny = encodePng(2, 2, (x, y) => [x * 200, y * 200, 90]);
  await page.getByLabel('Load image', { exact: true }).setInputFiles({
    name: 'tiny-2x2.png',
    mimeType: 'image/png',
    buffer: tiny,
  });
  await waitForLoaded(page, 'tiny-2x2.png');
  assert.deepEqual(await shownShapes(page), {
    input: [2, 2],
    convolution: [2, 2],
    relu: [2, 2],
    'max-pooling': [1, 1],
  });
  const canvases = await allCanvases(page);
  const convBefore = await downloadNpy(page, 'convolution');

  await select(page, 'Padding').selectOption('VALID');
  const notice = page.locator('p.notice.error[role="alert"]');
  await notice.waitFor();
  const text = await notice.textContent();
  assert.match(text, /VALID/, `message: ${text}`);
  assert.match(text, /2×2|2 × 2/, `the message gives the size: ${text}`);
  await settle(page);
  assert.equal(await select(page, 'Padding').inputValue(), 'SAME', 'padding reverts to SAME');
  assert.match(await stage(page, 'convolution').locator('.caption').textContent(), /SAME padding/);
  assert.deepEqual(await shownShape(page, 'convolution'), [2, 2]);
  const now = await allCanvases(page);
  for (const s of STAGES) assert.equal(now[s].hash, canvases[s].hash, `${s} canvas unchanged`);
  assert.deepEqual((await downloadNpy(page, 'convolution')).data, convBefore.data);

  // The other way round: VALID set, then a too-small image is refused and the old one stays.
  await upload(page, join(FIXTURES, 'odd_rgb.png'));
  await select(page, 'Padding').selectOption('VALID');
  await waitIdle(page);
  assert.equal(await page.locator('p.notice.error').count(), 0);
  const source = await sourceLine(page);
  const validCanvases = await allCanvases(page);
  await page.getByLabel('Load image', { exact: true }).setInputFiles({
    name: 'tiny-again.png',
    mimeType: 'image/png',
    buffer: tiny,
  });
  await page.locator('p.notice.error[role="alert"]', { hasText: 'VALID' }).waitFor({ timeout: LOAD_TIMEOUT });
  await settle(page);
  assert.equal(await sourceLine(page), source, 'the previous image stays');
  assert.equal(await select(page, 'Padding').inputValue(), 'VALID');
  const after = await allCanvases(page);
  for (const s of STAGES) assert.equal(after[s].hash, validCanvases[s].hash, `${s} canvas unchanged`);
  assertNoProblems(problems);
});

// ---------------------------------------------------------------------------------------
// 7. Drag and drop, paste

async function pageFile(file) {
  return { b64: (await readFile(join(FIXTURES, file))).toString('base64'), name: file, type: 'image/png' };
}

e2e('a 12-megapixel photo shows a busy notice, then loads scaled to the working size', async (t) => {
  const { page, problems } = await openPage(t);
  const coffee = (await readFile(join(REPO, 'www/samples/coffee.jpg'))).toString('base64');
  // A 4000 × 3000 JPEG of the coffee photograph, made in the page, chosen in the file input.
  await page.evaluate(async (b64) => {
    // Decoding blocks the page, so Playwright cannot poll for the notice meanwhile: record
    // it as it appears, and whether a frame was painted while it was there.
    window.busySeen = { text: null, painted: false };
    new MutationObserver(() => {
      const busy = document.querySelector('p.notice.busy');
      if (busy && window.busySeen.text === null) {
        window.busySeen.text = busy.textContent;
        requestAnimationFrame(() =>
          setTimeout(() => (window.busySeen.painted = !!document.querySelector('p.notice.busy'))),
        );
      }
    }).observe(document.body, { childList: true, subtree: true });
    const img = new Image();
    img.src = `data:image/jpeg;base64,${b64}`;
    await img.decode();
    const canvas = new OffscreenCanvas(4000, 3000);
    canvas.getContext('2d').drawImage(img, 0, 0, 4000, 3000);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const transfer = new DataTransfer();
    transfer.items.add(new File([blob], 'phone-photo.jpg', { type: 'image/jpeg' }));
    const input = document.querySelector('input[type=file]');
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, coffee);
  await page.waitForFunction(() => /phone-photo/.test(document.querySelector('.source-line')?.textContent), null, { timeout: LOAD_TIMEOUT });
  await waitIdle(page);
  const busy = await page.evaluate(() => window.busySeen);
  assert.match(busy.text ?? '', /Loading “phone-photo\.jpg”/);
  assert.ok(busy.painted, 'the busy notice was on screen for at least one painted frame');
  assert.match(await page.locator('.source-line').textContent(), /3000 × 4000 pixels, scaled to 225 × 300/);
  assert.deepEqual(await shownShape(page, 'input'), [225, 300]);
  const load = await page.evaluate(() => performance.getEntriesByName('convlab:load', 'measure').at(-1)?.duration);
  assert.ok(load > 0, 'a convlab:load measure was recorded');
  assertNoProblems(problems);
});

e2e('resizing the window redraws the legends at the new width', async (t) => {
  const { page, problems } = await openPage(t);
  const legendWidth = () =>
    page.evaluate(() => document.querySelector('figure.stage[data-stage="relu"] canvas.legend').width);
  const before = await legendWidth();
  await page.setViewportSize({ width: 1700, height: 900 });
  await page.waitForFunction(
    (w) => document.querySelector('figure.stage[data-stage="relu"] canvas.legend').width > w,
    before,
  );
  const cssWidth = await page.evaluate(() => {
    const legend = document.querySelector('figure.stage[data-stage="relu"] canvas.legend');
    return legend.clientWidth * devicePixelRatio;
  });
  assert.equal(await legendWidth(), Math.round(cssWidth));
  assertNoProblems(problems);
});

e2e('dropping an image file on the page loads it', async (t) => {
  const { page, problems } = await openPage(t);
  const file = await pageFile('odd_rgb.png');
  const result = await page.evaluate(({ b64, name, type }) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type }));
    const target = document.querySelector('figure.stage[data-stage="relu"]');
    const over = new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true });
    target.dispatchEvent(over);
    const drop = new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true });
    target.dispatchEvent(drop);
    return { overPrevented: over.defaultPrevented, dropPrevented: drop.defaultPrevented };
  }, file);
  assert.ok(result.overPrevented, 'dragover is accepted (preventDefault), so a drop is allowed');
  assert.ok(result.dropPrevented, 'the drop is handled, not opened by the browser');
  await waitForLoaded(page, 'odd_rgb.png');
  assert.deepEqual(await shownShape(page, 'input'), [23, 37]);
  assert.equal(await page.locator('.explorer.dragging').count(), 0, 'the drop overlay goes away');
  assertNoProblems(problems);
});

e2e('pasting an image file loads it', async (t) => {
  const { page, problems } = await openPage(t);
  const file = await pageFile('alpha_rgba.png');
  await page.evaluate(({ b64, name, type }) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type }));
    const paste = new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true });
    (document.activeElement ?? document.body).dispatchEvent(paste);
  }, file);
  await waitForLoaded(page, 'alpha_rgba.png');
  assert.deepEqual(await shownShape(page, 'input'), [28, 19]);
  assertNoProblems(problems);
});

// ---------------------------------------------------------------------------------------
// 8. Controls keep their values

e2e('controls keep their values when a new image loads', async (t) => {
  const { page, problems } = await openPage(t);
  await select(page, 'Preset').selectOption('Sobel x');
  await cell(page, 1, 1).fill('−1.0'); // the same weight, typed differently: Custom
  await select(page, 'Stride').selectOption('2');
  await select(page, 'Padding').selectOption('VALID');
  await select(page, 'Working size').selectOption('128');
  await select(page, 'Colormap').selectOption('Gray');
  await waitIdle(page);
  const kernel = [
    ['−1.0', '0', '1'],
    ['-2', '0', '2'],
    ['-1', '0', '1'],
  ];
  const expectControls = async (when) => {
    assert.deepEqual(await kernelTexts(page), kernel, `${when}: kernel cells`);
    assert.equal(await select(page, 'Preset').inputValue(), 'Custom', `${when}: preset`);
    assert.equal(await select(page, 'Stride').inputValue(), '2', `${when}: stride`);
    assert.equal(await select(page, 'Padding').inputValue(), 'VALID', `${when}: padding`);
    assert.equal(await select(page, 'Working size').inputValue(), '128', `${when}: working size`);
    assert.equal(await select(page, 'Colormap').inputValue(), 'Gray', `${when}: colormap`);
    assert.match(
      await stage(page, 'convolution').locator('.caption').textContent(),
      /stride 2, VALID padding/,
      `${when}: caption`,
    );
  };
  await expectControls('before');

  await button(page, 'Sample: Camera').click();
  await waitForLoaded(page, 'camera.png');
  await expectControls('after a sample');
  assert.deepEqual(await shownShapes(page), {
    input: [128, 128],
    convolution: [63, 63],
    relu: [63, 63],
    'max-pooling': [31, 31],
  });

  // A file: the kept controls are the fixture case's (Sobel x, stride 2, VALID, 128), so the
  // numbers must be TensorFlow's.
  const reference = MANIFEST.cases.find(
    (c) =>
      c.image.endsWith('wide_rgb.png') &&
      c.kernel_name === 'sobel_x' &&
      c.stride === 2 &&
      c.padding === 'VALID' &&
      c.working_size === 128,
  );
  assert.ok(reference, 'the manifest has the wide Sobel x case');
  await upload(page, join(REPO, reference.image));
  await expectControls('after a file');
  assert.deepEqual(await shownShapes(page), reference.shapes);
  for (const s of ['convolution', 'max-pooling']) {
    const expected = parseNpy(await readFile(join(FIXTURES, reference.files[s])));
    assertClose(await downloadNpy(page, s), expected, 1e-4, `kept controls, ${s}`);
  }
  assertNoProblems(problems);
});

// ---------------------------------------------------------------------------------------
// 9. Keyboard

e2e('keyboard probe: arrow, Page, Home and End keys move the probed pixel on every map', async (t) => {
  const { page, problems } = await openPage(t);
  const heading = async () => (await page.locator('#probe-heading').textContent()).trim();
  const [h, w] = await shownShape(page, 'convolution');
  await stage(page, 'convolution').locator('canvas.map').focus();
  await page.keyboard.press('Control+Home');
  assert.match(await heading(), /output row 1, column 1$/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  assert.match(await heading(), /output row 2, column 3$/);
  await page.keyboard.press('End');
  assert.match(await heading(), new RegExp(`output row 2, column ${w}$`));
  await page.keyboard.press('PageDown');
  assert.match(await heading(), new RegExp(`output row 12, column ${w}$`));
  await page.keyboard.press('Control+End');
  assert.match(await heading(), new RegExp(`output row ${h}, column ${w}$`));
  await page.keyboard.press('ArrowDown');
  assert.match(await heading(), new RegExp(`output row ${h}, column ${w}$`), 'the edge holds');
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('map')), true, 'the map keeps the focus');
  // On the pooling map the keys move the pooling cell; the probe follows its window.
  await stage(page, 'max-pooling').locator('canvas.map').focus();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('ArrowDown');
  assert.match(await heading(), /output row 3, column 1$/);
  // The same pixel is outlined on every stage, and screen readers hear the numbers.
  assert.equal(await page.locator('figure.stage .probe-box').count(), 4);
  assert.match(await page.locator('section.probe [aria-live]').textContent(), /^Output row 3, column 1: convolution /);
  // Parameter sharing in numbers, for the 200 × 300 cat: 3·3·1·1 + 1 weights against a
  // dense layer's (200·300)·(200·300) + 200·300.
  const params = (await page.locator('section.parameters').textContent()).replace(/\s+/g, ' ');
  assert.match(params, /3·3·1·1 \+ 1 = 10 parameters/);
  assert.match(params, /3,600,060,000/);
  assertNoProblems(problems);
});

e2e('depth: the probe adds up each channel of the chosen filter; scales, refusals and names', async (t) => {
  const { page, problems } = await openPage(t);
  await select(page, 'Channels').selectOption('RGB');
  await select(page, 'Filters').selectOption('3');
  await page.getByLabel('Filter 2 bias', { exact: true }).fill('0.5');
  await waitIdle(page);
  assert.deepEqual(await shownShape(page, 'input', 3), await shownShape(page, 'convolution', 3));
  assert.match(await stage(page, 'convolution').locator('.formula.depth').textContent(), /number of filters = 3/);
  // Parameters: 3·3·3·3 + 3 = 84.
  const params = (await page.locator('section.parameters').textContent()).replace(/\s+/g, ' ');
  assert.match(params, /3·3·3·3 \+ 3 = 84 parameters/);

  // The keyboard on filter 2's convolution map: the probe is filter 2's, channel by channel.
  const heading = async () => (await page.locator('#probe-heading').textContent()).trim();
  await page.getByRole('img', { name: /^Convolution feature map of filter 2,/ }).focus();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  assert.equal(await heading(), 'Under the pointer: filter 2, output row 2, column 2');
  const sums = await page.locator('section.probe .channel-sum').allTextContents();
  assert.equal(sums.length, 3);
  const result = (await page.locator('section.probe .probe-result').allTextContents()).find((x) => x.startsWith('Convolution'));
  const m = /^Convolution = red sum \+ green sum \+ blue sum \+ bias = (\S+) \+ (\S+) \+ (\S+) \+ 0\.5 = (\S+)$/.exec(result);
  assert.ok(m, result);
  const num = (x) => Number(x.replace('−', '-'));
  const [r, g, b, conv] = m.slice(1).map(num);
  assert.ok(Math.abs(r + g + b + 0.5 - conv) < 1e-3 * (1 + Math.abs(conv)), result);
  // Filter 2 starts as Sobel x on every channel: its kernel grids show it.
  assert.deepEqual(
    (await page.locator('section.probe .probe-channel.green .weights .cells span').allTextContents()).map(num),
    [-1, 0, 1, -2, 0, 2, -1, 0, 1],
  );
  // The probed pixel is outlined on each input map and on filter 2's maps.
  assert.equal(await stage(page, 'input').locator('.probe-box').count(), 4);
  assert.equal(await stage(page, 'convolution').locator('.probe-box').count(), 1);

  // One legend per stage by default; with "Each map its own", one per filter map.
  assert.equal(await stage(page, 'convolution').locator('canvas.legend').count(), 1);
  await select(page, 'Color scale').selectOption('Each map its own');
  await waitIdle(page);
  assert.equal(await stage(page, 'convolution').locator('canvas.legend').count(), 3);
  const legendPainted = await page.evaluate(() =>
    [...document.querySelectorAll('figure.stage[data-stage="convolution"] canvas.legend')].every((c) => c.width > 0),
  );
  assert.ok(legendPainted, 'every map legend is drawn');

  // A bad cell in filter 3's blue kernel: marked, named in words, nothing else changes.
  const before = await canvasInfo(page, 'convolution', 2);
  const badCell = page.getByLabel('Filter 3 blue row 1 column 3', { exact: true });
  await badCell.fill('abc');
  await waitIdle(page);
  assert.equal(await badCell.getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#kernel-message').textContent(), /^Filter 3 blue, row 1, column 3 “abc” is not a number/);
  assert.equal((await canvasInfo(page, 'convolution', 2)).hash, before.hash);
  await badCell.fill('1');
  await waitIdle(page);
  assert.notEqual((await canvasInfo(page, 'convolution', 2)).hash, before.hash, 'a valid cell applies');
  // Typed kernels survive fewer filters and grayscale: set 1 filter and Grayscale, come back.
  await page.getByLabel('Filter 2 green row 2 column 2', { exact: true }).fill('7');
  await select(page, 'Filters').selectOption('1');
  await select(page, 'Channels').selectOption('Grayscale');
  await waitIdle(page);
  assert.equal(await cell(page, 2, 2).inputValue(), '8');
  await select(page, 'Channels').selectOption('RGB');
  await select(page, 'Filters').selectOption('3');
  await waitIdle(page);
  assert.equal(await page.getByLabel('Filter 2 green row 2 column 2', { exact: true }).inputValue(), '7');
  assert.equal(await page.getByLabel('Filter 3 blue row 1 column 3', { exact: true }).inputValue(), '1');
  await select(page, 'Filters').selectOption('8');
  await waitIdle(page);

  // With 8 filters over RGB, no two controls on the page share an accessible name.
  const names = await page.evaluate(() => {
    const nameOf = (el) => {
      if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
      if (el.labels && el.labels.length) return el.labels[0].textContent.trim();
      return el.textContent.trim();
    };
    return [...document.querySelectorAll('input, select, button, canvas[tabindex]')].map(nameOf);
  });
  const seen = new Set();
  const duplicates = names.filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
  assert.deepEqual(duplicates, [], 'duplicate accessible names');
  assert.ok(names.length > 8 * 3 * 9, `${names.length} controls`);
  assertNoProblems(problems);
});

// The live camera, Chromium's fake one: a moving test pattern at 60 frames per second.
e2e('the camera feeds every frame through the layer; freeze, stop, unplug', async (t) => {
  const { page, problems } = await openPage(t, server.url, { permissions: ['camera'] });
  await select(page, 'Channels').selectOption('RGB');
  await select(page, 'Filters').selectOption('4');
  await waitIdle(page);
  await button(page, 'Use camera').click();
  await page.waitForFunction(() => document.querySelector('.source-line').textContent.includes('“camera”'));
  await page.waitForFunction(() => /^Live: [\d.]+ frames per second/.test(document.querySelector('.camera-status').textContent));
  // Live: the pattern moves, so the maps change from frame to frame.
  const first = await canvasInfo(page, 'convolution', 3);
  await page.waitForTimeout(400);
  assert.notEqual((await canvasInfo(page, 'convolution', 3)).hash, first.hash, 'the maps follow the camera');
  // Frozen: the frame holds, and its files download in TensorFlow's layouts.
  await button(page, 'Freeze frame').click();
  await settle(page);
  const frozen = await canvasInfo(page, 'convolution', 3);
  await page.waitForTimeout(400);
  assert.equal((await canvasInfo(page, 'convolution', 3)).hash, frozen.hash, 'a frozen frame holds');
  const input = parseNpy((await download(page, 'Input .npy')).bytes, 'input');
  const [h, w] = await shownShape(page, 'input', 3);
  assert.deepEqual(input.shape, [h, w, 3]);
  assert.equal(Math.max(h, w), 300, 'frames come at the working size');
  assertAllFinite(input, 'camera input');
  await button(page, 'Resume camera').click();
  await page.waitForTimeout(300);
  assert.notEqual((await canvasInfo(page, 'convolution', 3)).hash, frozen.hash, 'resumed');
  // Unplugged: the track ends by itself; a sentence, and the last frame stays.
  await page.evaluate(() => window.__streams.at(-1).getVideoTracks()[0].dispatchEvent(new Event('ended')));
  const notice = page.locator('p.notice.error[role="alert"]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /The camera stopped \(unplugged, or taken by another program\)\. The last frame stays\./);
  assert.match(await page.locator('.source-line').textContent(), /“camera”/);
  await button(page, 'Use camera').waitFor();
  const stopped = await canvasInfo(page, 'convolution', 3);
  await page.waitForTimeout(300);
  assert.equal((await canvasInfo(page, 'convolution', 3)).hash, stopped.hash, 'no frames after the camera stopped');
  // Started again and stopped with the button: the stream's tracks end.
  await button(page, 'Use camera').click();
  await button(page, 'Stop camera').click();
  assert.equal(await page.evaluate(() => window.__streams.at(-1).getVideoTracks()[0].readyState), 'ended');
  // Choosing a sample while the camera runs stops it, so no frame replaces the choice.
  await button(page, 'Use camera').click();
  await page.waitForFunction(() => /^Live/.test(document.querySelector('.camera-status').textContent));
  await button(page, 'Sample: Cat').click();
  await waitForLoaded(page, 'chelsea.jpg');
  await button(page, 'Use camera').waitFor();
  assert.equal(await page.evaluate(() => window.__streams.at(-1).getVideoTracks()[0].readyState), 'ended');
  const chosen = await canvasInfo(page, 'convolution', 3);
  await page.waitForTimeout(400);
  assert.equal((await canvasInfo(page, 'convolution', 3)).hash, chosen.hash, 'the sample stays');
  assert.match(await sourceLine(page), /“chelsea\.jpg”/);
  assertNoProblems(problems);
});

e2e('a sample chosen while the camera is still starting keeps the camera off', async (t) => {
  const { page, problems } = await openPage(t, server.url, { permissions: ['camera'] });
  await page.evaluate(() => { window.__cameraDelay = 1500; });
  await button(page, 'Use camera').click();
  await page.waitForFunction(() => /Asking for the camera/.test(document.querySelector('.camera-status').textContent));
  await button(page, 'Sample: Coffee').click();
  await waitForLoaded(page, 'coffee.jpg');
  // The camera answers after the choice: it is stopped at once, and says it is off.
  await page.waitForFunction(() => window.__streams.length === 1, null, { timeout: 10_000 });
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__streams[0].getVideoTracks()[0].readyState), 'ended');
  assert.match(await page.locator('.camera-status').textContent(), /^Or use the camera/);
  assert.equal(await button(page, 'Use camera').isEnabled(), true);
  assert.match(await sourceLine(page), /“coffee\.jpg”/);
  // And it starts again when asked.
  await page.evaluate(() => { window.__cameraDelay = 0; });
  await button(page, 'Use camera').click();
  await page.waitForFunction(() => /^Live/.test(document.querySelector('.camera-status').textContent));
  await button(page, 'Stop camera').click();
  assertNoProblems(problems);
});

e2e('samples are fetched when chosen (the first at start); one that cannot be is a sentence, and the picture stays', async (t) => {
  // Without the service worker, which would answer from its cache past the routes below.
  const { page, problems } = await openPage(t, server.url, { serviceWorkers: 'block' });
  const fetched = [];
  page.on('request', (request) => {
    if (/\/samples\//.test(request.url())) fetched.push(new URL(request.url()).pathname.replace(/.*\//, ''));
  });
  await button(page, 'Sample: Astronaut').click();
  await waitForLoaded(page, 'astronaut.jpg');
  assert.deepEqual(fetched, ['astronaut.jpg'], 'the chosen sample, and only it, is fetched');
  await button(page, 'Sample: Cat').click();
  await waitForLoaded(page, 'chelsea.jpg');
  // Fetched again, unless the browser's HTTP cache answers without a request.
  assert.deepEqual(fetched.filter((name) => name !== 'chelsea.jpg'), ['astronaut.jpg']);

  await page.route('**/samples/coffee.jpg', (route) => route.abort('failed'));
  await page.route('**/samples/camera.png', (route) => route.fulfill({ status: 404, body: 'gone' }));
  const before = await canvasInfo(page, 'convolution');
  await button(page, 'Sample: Coffee').click();
  const unreachable = page.locator('p.notice.error', { hasText: 'coffee.jpg' });
  await unreachable.waitFor();
  assert.match(await unreachable.textContent(),
    /Could not load “coffee\.jpg”: The page could not fetch samples\/coffee\.jpg: the network or the server does not answer\. The previous image stays\./);
  await button(page, 'Sample: Camera').click();
  const missing = page.locator('p.notice.error', { hasText: 'camera.png' });
  await missing.waitFor();
  assert.match(await missing.textContent(), /The server answered 404 Not Found for samples\/camera\.png\./);
  assert.match(await sourceLine(page), /“chelsea\.jpg”/);
  assert.equal((await canvasInfo(page, 'convolution')).hash, before.hash, 'the picture stays');
  assert.equal(await button(page, 'Sample: Coffee').isEnabled(), true, 'the samples can be chosen again');
  // Only the failures made above (the browser's console line for them names no file).
  assertNoProblems(problems.filter((p) => !/coffee\.jpg|camera\.png|Failed to load resource: (net::ERR_FAILED|the server responded with a status of 404)/.test(p)));
});

e2e('a link naming a sample opens on it once fetched, or on the first sample saying why not', async (t) => {
  const { page, problems } = await openPage(t, `${server.url}?v=1&sample=coffee`, { serviceWorkers: 'block' });
  await waitForLoaded(page, 'coffee.jpg');
  assert.match(page.url(), /sample=coffee/);

  const context = page.context();
  await context.route('**/samples/camera.png', (route) => route.abort('failed'));
  const second = await context.newPage();
  const secondProblems = collectProblems(second);
  await second.goto(`${server.url}?v=1&sample=camera&size=128`);
  await waitForLoaded(second, 'chelsea.jpg');
  assert.match(await second.locator('p.notice.error').textContent(),
    /The link's sample “Camera” could not be loaded: The page could not fetch samples\/camera\.png: .* The sample “Cat” is shown instead\./);
  assert.match(await sourceLine(second), /\(working size 128\)/, 'the rest of the link applies');
  assertNoProblems(problems);
  assertNoProblems(secondProblems.filter((p) => !/camera\.png|Failed to load resource: net::ERR_FAILED/.test(p)));

  // Not even the first sample: a test card drawn by the app, and the explorer works on it.
  await context.route('**/samples/chelsea.jpg', (route) => route.abort('failed'));
  const third = await context.newPage();
  const thirdProblems = collectProblems(third);
  await third.goto(server.url);
  await third.locator('p.source-line', { hasText: '“test card”' }).waitFor();
  assert.match(await third.locator('p.notice.error').textContent(),
    /The sample “Cat” could not be loaded: The page could not fetch samples\/chelsea\.jpg: .* A test card drawn by ConvLab is shown instead/);
  assert.equal((await canvasInfo(third, 'convolution')).uniform, false, 'the outlines of its shapes');
  assertNoProblems(thirdProblems.filter((p) => !/chelsea\.jpg|Failed to load resource: net::ERR_FAILED/.test(p)));
});

e2e('a refused camera permission is a sentence, and the picture stays', async (t) => {
  const { page, problems } = await openPage(t);
  const before = await sourceLine(page);
  await button(page, 'Use camera').click();
  const notice = page.locator('p.notice.error[role="alert"]');
  await notice.waitFor();
  assert.equal(
    (await notice.textContent()).trim(),
    "The camera permission was refused. Allow the camera in the browser's site settings to try again. The previous image stays.",
  );
  assert.equal(await sourceLine(page), before);
  assert.equal(await button(page, 'Use camera').isEnabled(), true);
  assertNoProblems(problems);
});

/** Every pixel (RGBA) of the first map of each computed stage. */
async function stagePixels(page) {
  return page.evaluate((stages) => {
    const out = {};
    for (const s of stages) {
      const c = document.querySelector(`figure.stage[data-stage="${s}"] canvas.map`);
      out[s] = Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
    }
    return out;
  }, STAGES.slice(1));
}

const stepStatus = async (page) => (await page.locator('.step-status').textContent()).trim();

/** Compares a stage's pixels during a step-through with the map computed at once: the
 * first `computed` cells the same, every other cell one of the two greys of "not yet". */
function assertComputedCells(stepped, full, computed, what) {
  assert.equal(stepped.length, full.length, `${what}: size`);
  for (let cell = 0; cell < full.length / 4; cell++) {
    const got = stepped.slice(4 * cell, 4 * cell + 4);
    if (cell < computed) {
      assert.deepEqual(got, full.slice(4 * cell, 4 * cell + 4), `${what}: cell ${cell} is computed`);
    } else {
      assert.ok(
        [204, 238].includes(got[0]) && got[0] === got[1] && got[1] === got[2],
        `${what}: cell ${cell} is not computed yet, but shows ${got}`,
      );
    }
  }
}

e2e('step through: the window fills each map one cell at a time, and the end is the map computed at once', async (t) => {
  const { page, problems } = await openPage(t);
  await select(page, 'Working size').selectOption('16');
  await waitIdle(page);
  const [h, w] = await shownShape(page, 'convolution');
  const [ph, pw] = await shownShape(page, 'max-pooling');
  assert.deepEqual([h, w, ph, pw], [11, 16, 6, 8], 'the 300 × 451 cat at working size 16');
  const full = await stagePixels(page);
  const total = h * w + ph * pw;

  await page.getByLabel('Step through', { exact: true }).check();
  await settle(page);
  assert.equal(await stepStatus(page), `Step 1 of ${total}: Convolution, row 1 of ${h}, column 1 of ${w}`);
  let stepped = await stagePixels(page);
  assertComputedCells(stepped.convolution, full.convolution, 1, 'convolution after step 1');
  assertComputedCells(stepped.relu, full.relu, 1, 'ReLU after step 1');
  assertComputedCells(stepped['max-pooling'], full['max-pooling'], 0, 'pooling after step 1');
  assert.match(await page.locator('#probe-heading').textContent(), /^This step: output row 1, column 1$/);

  for (let i = 0; i < w + 2; i++) await button(page, 'Next step').click();
  await settle(page);
  assert.equal(await stepStatus(page), `Step ${w + 3} of ${total}: Convolution, row 2 of ${h}, column 3 of ${w}`);
  stepped = await stagePixels(page);
  assertComputedCells(stepped.convolution, full.convolution, w + 3, 'convolution after row 2, column 3');
  assertComputedCells(stepped.relu, full.relu, w + 3, 'ReLU after row 2, column 3');
  // The window is outlined where the step is: output row 2, column 3 on the convolution.
  assert.match(await page.locator('#probe-heading').textContent(), /output row 2, column 3$/);

  // A click on a pooling cell jumps to its step: the convolution is complete by then.
  const box = await stage(page, 'max-pooling').locator('canvas.map').boundingBox();
  await page.mouse.click(box.x + (1.5 / pw) * box.width, box.y + (2.5 / ph) * box.height);
  await settle(page);
  assert.equal(
    await stepStatus(page),
    `Step ${h * w + 2 * pw + 2} of ${total}: Max pooling, row 3 of ${ph}, column 2 of ${pw}`,
  );
  stepped = await stagePixels(page);
  assert.deepEqual(stepped.convolution, full.convolution, 'the convolution is complete');
  assertComputedCells(stepped['max-pooling'], full['max-pooling'], 2 * pw + 2, 'pooling at row 3, column 2');
  // The step spells out the pooling: the window's four ReLU values and the largest of them.
  const windowValues = (await page.locator('section.probe .pool-window .cells span').allTextContents()).map((t) =>
    Number(t.replace('−', '-')),
  );
  assert.equal(windowValues.length, 4);
  assert.equal((await page.locator('#probe-heading').textContent()).trim(), 'This step: max pooling, cell row 3, column 2');
  const poolLine = await page.locator('section.probe p.probe-result').last().textContent();
  assert.match(poolLine, /^Max pooling, cell row 3, column 2 = the largest ReLU value of its 2×2 window = /);
  assert.equal(Number(poolLine.split('= ').at(-1).replace('−', '-')), Math.max(...windowValues));

  // The slider's end: every map is exactly the map computed at once.
  await page.getByLabel('Step', { exact: true }).fill(String(total));
  await settle(page);
  assert.equal(await stepStatus(page), `Step ${total} of ${total}: Max pooling, row ${ph} of ${ph}, column ${pw} of ${pw}`);
  assert.deepEqual(await stagePixels(page), full, 'stepping to the end draws the maps computed at once');
  // A big working size is possible, with a hint to use a small one.
  await select(page, 'Working size').selectOption('128');
  await waitIdle(page);
  assert.match(await page.locator('.step-controls').textContent(), /a small working size shows every pixel/);
  await button(page, 'Use working size 16').click();
  await waitIdle(page);
  assert.equal(await select(page, 'Working size').inputValue(), '16');
  await page.getByLabel('Step through', { exact: true }).uncheck();
  await settle(page);
  assert.deepEqual(await stagePixels(page), full, 'without stepping, every cell shows');
  assert.match(await page.locator('#probe-heading').textContent(), /^Under the pointer/);
  assertNoProblems(problems);
});

e2e('step through from the keyboard alone: arrows step, space plays and pauses, Home and End', async (t) => {
  const { page, problems } = await openPage(t);
  await select(page, 'Working size').selectOption('16');
  await waitIdle(page);
  const total = 11 * 16 + 6 * 8;
  await page.getByLabel('Step through', { exact: true }).focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('.step-status'));
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Previous step');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  assert.match(await stepStatus(page), new RegExp(`^Step 3 of ${total}: Convolution, row 1 of 11, column 3 of 16$`));
  await page.keyboard.press('End');
  assert.match(await stepStatus(page), new RegExp(`^Step ${total} of ${total}: `));
  await page.keyboard.press('Home');
  assert.match(await stepStatus(page), /^Step 1 of /);

  // Space plays, and pauses; the button says which.
  await page.keyboard.press('Space');
  await button(page, 'Pause steps').waitFor();
  await page.waitForFunction(() => /^Step ([3-9]|\d\d+) of/.test(document.querySelector('.step-status').textContent));
  await page.keyboard.press('Space');
  await button(page, 'Play steps').waitFor();
  const paused = await stepStatus(page);
  await page.waitForTimeout(1200);
  assert.equal(await stepStatus(page), paused, 'paused: no more steps');

  // A focused map's arrow keys jump the window to the next pixel's step.
  await page.keyboard.press('Home');
  await stage(page, 'convolution').locator('canvas.map').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  assert.match(await stepStatus(page), /^Step 18 of \d+: Convolution, row 2 of 11, column 2 of 16$/);

  // At the fastest speed a play runs to the last step and stops there.
  await select(page, 'Speed').selectOption('100 steps per second');
  await button(page, 'Play steps').click();
  await page.waitForFunction(
    (total) => document.querySelector('.step-status').textContent.startsWith(`Step ${total} of ${total}`),
    total,
    { timeout: 20_000 },
  );
  await button(page, 'Play steps').waitFor();
  assertNoProblems(problems);
});

e2e('keyboard: Tab reaches every control in order, and they work from the keyboard', async (t) => {
  const { page, problems } = await openPage(t);
  const fileChooser = new Promise((resolve, reject) => {
    page.once('filechooser', resolve);
    setTimeout(() => reject(new Error('no file chooser opened')), 30_000).unref();
  });
  fileChooser.catch(() => {});
  const expected = [
    'Load image',
    'Sample: Cat',
    'Sample: Coffee',
    'Sample: Astronaut',
    'Sample: Camera',
    'Kernel size',
    'Preset',
    ...[1, 2, 3].flatMap((r) => [1, 2, 3].map((c) => `Kernel row ${r} column ${c}`)),
    'Bias',
    'Activation',
    'Pooling',
    'Padding',
    'Stride',
    'Working size',
    'Colormap',
    ...STAGES.flatMap((s) => [`${STAGE_NAMES[s]} .npy`, `${STAGE_NAMES[s]} PNG`]),
  ];
  const focusedName = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      return (
        el.getAttribute('aria-label') ??
        (el.labels && el.labels[0] ? el.labels[0].textContent.trim() : null) ??
        el.textContent.trim()
      );
    });

  // From the top of the document, Tab through everything.
  await page.evaluate(() => {
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  const seen = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const name = await focusedName();
    if (name === null || (seen.length > 0 && name === seen[0])) break;
    seen.push(name);
    if (name === 'Load image') {
      // The input itself is visually hidden: its label must show the keyboard focus.
      const outline = await page.evaluate(() => {
        const label = document.querySelector('label[for="file-input"]');
        const style = getComputedStyle(label);
        return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
      });
      assert.ok(
        outline.style !== 'none' && outline.width > 0,
        `the focused file input shows a focus ring on its label: ${JSON.stringify(outline)}`,
      );
    }
    if (name === expected.at(-1)) break;
  }
  const reached = seen.filter((n) => expected.includes(n));
  assert.deepEqual(reached, expected, `tab order: ${JSON.stringify(seen)}`);
  // And every other control of the explorer (e.g. ones added later) is in the tab order too.
  // (The training section's controls come after it; training.test.mjs checks those.)
  const controls = await page.evaluate(() =>
    [...document.querySelectorAll('.explorer :is(input, select, button, textarea, a[href])')]
      .filter((el) => !el.disabled && el.getClientRects().length > 0)
      .map(
        (el) =>
          el.getAttribute('aria-label') ??
          (el.labels && el.labels[0] ? el.labels[0].textContent.trim() : null) ??
          el.textContent.trim(),
      ),
  );
  for (const name of controls) assert.ok(seen.includes(name), `Tab never reaches ${JSON.stringify(name)}`);

  // Operable: Enter on the focused file input opens the file chooser. (The listener was
  // added at the start: Playwright turns on file-chooser interception asynchronously.)
  await page.getByLabel('Load image', { exact: true }).focus();
  await page.keyboard.press('Enter');
  const chooser = await fileChooser;
  await chooser.setFiles(join(FIXTURES, 'odd_rgb.png'));
  await waitForLoaded(page, 'odd_rgb.png');

  // A sample button with the keyboard.
  await button(page, 'Sample: Coffee').focus();
  await page.keyboard.press('Enter');
  await waitForLoaded(page, 'coffee.jpg');

  // A kernel cell: type a new weight.
  const before = await canvasInfo(page, 'convolution');
  await cell(page, 2, 2).focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('9');
  await page.waitForFunction(() =>
    /Sum of weights: 1\b/.test(document.querySelector('.kernel-sum')?.textContent ?? ''),
  );
  await settle(page);
  assert.notEqual((await canvasInfo(page, 'convolution')).hash, before.hash);

  // A select: arrow keys change the stride.
  await select(page, 'Stride').focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() =>
    /stride 2,/.test(
      document.querySelector('figure.stage[data-stage="convolution"] .caption')?.textContent ?? '',
    ),
  );
  assert.equal(await select(page, 'Stride').inputValue(), '2');

  // A download button: Enter downloads.
  await button(page, 'Max pooling .npy').focus();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  const npy = parseNpy(await readFile(await dl.path()));
  assert.deepEqual(npy.shape, await shownShape(page, 'max-pooling'));
  assertNoProblems(problems);
});
