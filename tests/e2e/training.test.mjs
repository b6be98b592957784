// End-to-end tests of live training (issue 5) against the BUILT app, in headless Chromium:
// the digits load, Train teaches the network past 90 % on the 2,000 test digits while the
// page has no long task, the pictures change, Pause / Step / Reset behave, a drawn digit is
// read, and bad input, divergence and a crashed worker are all told in words.
// Run: node --test --test-concurrency=1 training.test.mjs (CONVLAB_DIST = the built app).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, observeLongTasks, longTasksBetween, collectProblems } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const DIST = resolve(process.env.CONVLAB_DIST ?? join(REPO, 'dist'));
// The debug build compiles ConvLab itself optimised too (Cargo.toml), so both builds are
// held to the same bar.
const TARGET = 0.9;
const TRAIN_TIMEOUT = 120_000;

let server;
let browser;

const e2e = (name, fn) => test(name, { timeout: TRAIN_TIMEOUT + 60_000 }, fn);

before(async () => {
  assert.ok(existsSync(join(DIST, 'index.html')), `no built app in ${DIST}`);
  server = await serve(DIST);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the app with a long-task observer installed before any script runs, and waits
 * until the digits are loaded (Train is enabled) and the untrained network is scored. */
async function openPage(t, options = { viewport: { width: 1400, height: 1000 } }, query = '') {
  const context = await browser.newContext(options);
  await observeLongTasks(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems = collectProblems(page);
  t.after(() => context.close());
  await page.goto(server.url + query, { waitUntil: 'load' });
  const section = page.getByRole('region', { name: 'Training', exact: true });
  await section.scrollIntoViewIfNeeded();
  await section.getByRole('button', { name: 'Train', exact: true }).waitFor();
  await page.waitForFunction(
    () => {
      const b = [...document.querySelectorAll('.training button')].find((x) => x.textContent.trim() === 'Train');
      return b && !b.disabled;
    },
    null,
    { timeout: 60_000 },
  );
  await page.waitForFunction(() => /Test accuracy/.test(document.querySelector('.training-status .status')?.textContent));
  return { page, section, problems };
}

const button = (scope, name) => scope.getByRole('button', { name, exact: true });
const statusText = (section) => section.locator('.training-status .status').textContent();

/** The status line's numbers. */
async function status(section) {
  const text = await statusText(section);
  const number = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1].replace(/,/g, '')) : null;
  };
  return {
    text,
    accuracy: number(/Test accuracy (\d+(?:\.\d)?) %/),
    speed: number(/([\d,]+) samples\/s/),
    samples: number(/Samples seen ([\d,]+)/),
    epoch: number(/Epoch (\d+)/),
  };
}

/** A canvas's pixels as a data URL, to see whether it changed. */
const pixels = (locator) => locator.evaluate((c) => c.toDataURL());

e2e('the digits load, and the first screen shows filters, feature maps and a first score', async (t) => {
  const { page, section, problems } = await openPage(t);
  for (const name of ['Learning rate', 'Batch size', 'Optimizer', 'Seed']) {
    assert.equal(await section.getByLabel(name, { exact: true }).count(), 1, `control ${name}`);
  }
  for (const name of ['Train', 'Step', 'Reset']) {
    assert.equal(await button(section, name).count(), 1, `button ${name}`);
  }
  assert.equal(await section.getByLabel('Learning rate', { exact: true }).inputValue(), '0.15');
  // The untrained network's score arrives by itself: near chance.
  await page.waitForFunction(() => /Test accuracy/.test(document.querySelector('.training-status .status')?.textContent));
  const first = await status(section);
  assert.ok(first.accuracy < 35, `untrained: ${first.text}`);
  assert.equal(first.samples, 0);
  assert.equal(first.epoch, 1);
  assert.match(await section.locator('[aria-live="polite"]').first().textContent(), /Test accuracy \d+\.\d % after 0 samples/);
  // Eight first-layer filters and the feature maps of every layer but flatten.
  assert.equal(await section.getByRole('img', { name: /^Filter \d+:/ }).count(), 8);
  const layers = await section.locator('figure.layer-maps figcaption strong').allTextContents();
  assert.deepEqual(layers, [
    '1 · convolution', '2 · ReLU', '3 · max pooling', '4 · convolution', '5 · ReLU', '6 · max pooling', '8 · dense',
  ]);
  const formulas = await section.locator('figure.layer-maps .formula').allTextContents();
  assert.ok(formulas.some((f) => f.includes('⌊(28 + 2·1 − 3) / 1⌋ + 1 = 28')), formulas.join('\n'));
  assert.ok(formulas.some((f) => f.includes('VALID: ⌊(28 + 2·0 − 2) / 2⌋ + 1 = 14')), formulas.join('\n'));
  assert.equal(await section.locator('.digit-strip button').count(), 20);
  assert.match(await section.locator('.prediction').textContent(), /Prediction \d \(\d+\.\d %\)/);
  assertNoErrors(problems);
});

function assertNoErrors(problems) {
  assert.deepEqual(problems, [], 'the page logged errors or had failed requests');
}

e2e(`Train reaches ${TARGET * 100} % with no long task; pictures change; Pause and Reset work`, async (t) => {
  const { page, section, problems } = await openPage(t);
  await page.waitForFunction(() => /Test accuracy/.test(document.querySelector('.training-status .status')?.textContent));
  const filter = section.getByRole('img', { name: /^Filter 2:/ });
  const maps = section.locator('figure.layer-maps canvas').first();
  const [filterBefore, mapsBefore] = [await pixels(filter), await pixels(maps)];

  await button(section, 'Train').click();
  const clicked = await page.evaluate(() => performance.now());
  await button(section, 'Pause').waitFor();
  // Edit the explorer's kernel while training runs: it must still answer.
  const cell = page.getByLabel('Kernel row 2 column 2', { exact: true });
  await cell.fill('4');
  await page.waitForFunction(() => /Sum of weights: −4/.test(document.querySelector('.kernel-sum')?.textContent ?? ''));
  // Typing a learning rate while reports arrive: the text stays as typed, and Enter applies
  // it to the run in progress.
  const rate = section.getByLabel('Learning rate', { exact: true });
  await rate.fill('0.0');
  await page.waitForTimeout(800);
  assert.equal(await rate.inputValue(), '0.0', 'what is being typed is not wiped by the reports');
  await rate.fill('0.04');
  await rate.press('Enter');
  await rate.blur();
  await page.waitForTimeout(500);
  assert.equal(await rate.inputValue(), '0.04');
  assert.ok((await status(section)).samples > 0, 'the run went on');

  await page.waitForFunction(
    (target) => {
      const m = /Test accuracy (\d+(?:\.\d)?) %/.exec(document.querySelector('.training-status .status')?.textContent);
      return m && Number(m[1]) >= target;
    },
    TARGET * 100,
    { timeout: TRAIN_TIMEOUT, polling: 250 },
  );
  const during = await status(section);
  assert.ok(during.speed > 0, `speed shown while training: ${during.text}`);
  assert.ok(during.samples > 0 && during.epoch >= 1, during.text);

  await button(section, 'Pause').click();
  await button(section, 'Train').waitFor();
  const paused = await page.evaluate(() => performance.now());
  const longTasks = await longTasksBetween(page, clicked + 1000, paused);
  assert.deepEqual(longTasks, [], 'no main-thread task over 50 ms while training');

  // Paused means paused: the count stays.
  const a = await status(section);
  await page.waitForTimeout(1000);
  const b = await status(section);
  assert.equal(b.samples, a.samples, 'no training while paused');
  assert.doesNotMatch(b.text, /samples\/s/, 'no speed while paused');

  // The loss curve went down, and the pictures changed.
  const summary = await section.locator('.curve-summary').textContent();
  const m = /Training loss \(smoothed\) fell from ([\d.]+) to ([\d.]+)/.exec(summary);
  assert.ok(m, summary);
  assert.ok(Number(m[2]) < Number(m[1]) / 2, summary);
  assert.notEqual(await pixels(filter), filterBefore, 'the learned filters changed');
  assert.notEqual(await pixels(maps), mapsBefore, 'the feature maps changed');
  for (const name of ['Loss curves', 'Accuracy curves']) {
    assert.equal(await section.getByRole('img', { name }).count(), 1, name);
  }
  // The confusion matrix counts every test digit.
  const cells = await section.locator('table.confusion td').allTextContents();
  assert.equal(cells.map(Number).reduce((x, y) => x + y, 0), 2000);

  // Step trains 10 batches of 32.
  await button(section, 'Step').click();
  await page.waitForFunction(
    (before) => new RegExp(`Samples seen ${(before + 320).toLocaleString('en-US')}\\b`).test(document.querySelector('.training-status .status')?.textContent),
    b.samples,
  );

  // Reset starts over from the seed: no samples, a near-chance score again.
  await button(section, 'Reset').click();
  await page.waitForFunction(() => {
    const text = document.querySelector('.training-status .status')?.textContent ?? '';
    const m = /Test accuracy (\d+(?:\.\d)?) %/.exec(text);
    return /Samples seen 0\b/.test(text) && m && Number(m[1]) < 35;
  });
  assert.match(await section.locator('.curve-summary').textContent(), /^$|Press Train/);
  assertNoErrors(problems);
});

/** Trains until the test accuracy reaches `target` %, then pauses. */
async function trainTo(page, section, target) {
  await button(section, 'Train').click();
  await page.waitForFunction(
    (target) => {
      const m = /Test accuracy (\d+(?:\.\d)?) %/.exec(document.querySelector('.training-status .status')?.textContent);
      return m && Number(m[1]) >= target;
    },
    target,
    { timeout: TRAIN_TIMEOUT, polling: 250 },
  );
  await button(section, 'Pause').click();
}

e2e('a drawn digit is read: a prediction and its feature maps at once', async (t) => {
  const { page, section, problems } = await openPage(t);
  // A little training first, so the network reads something.
  await trainTo(page, section, 80);
  const pad = section.getByLabel('Digit drawing pad', { exact: true });
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  const mapsBefore = await pixels(section.locator('figure.layer-maps canvas').first());
  // A "1": one stroke down the middle.
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) {
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.15 + 0.06 * i));
  }
  await page.mouse.up();
  await page.waitForFunction(() => /Prediction 1 \(/.test(document.querySelector('.prediction')?.textContent));
  assert.notEqual(await pixels(section.locator('figure.layer-maps canvas').first()), mapsBefore);
  // Clear goes back to a test digit.
  await button(section, 'Clear').click();
  await page.waitForFunction(() => document.querySelector('.digit-strip button[aria-pressed="true"]'));
  assertNoErrors(problems);
});

// On a phone: a finger draws on the pad (real touch events through Chromium's input
// pipeline, not mouse events), and the page neither scrolls nor zooms while it does.
e2e('a finger draws a digit on a phone', async (t) => {
  const { page, section, problems } = await openPage(t, {
    viewport: { width: 360, height: 740 },
    hasTouch: true,
    isMobile: true,
  });
  await trainTo(page, section, 80);
  const pad = section.getByLabel('Digit drawing pad', { exact: true });
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  assert.ok(box.width >= 140 && box.x >= 0 && box.x + box.width <= 360, `the pad fits the phone: ${JSON.stringify(box)}`);
  // Without scroll anchoring, only a scroll moves scrollY: text above the pad that changes
  // height when the drawing is read (a line more or less at 360 px) cannot move it too.
  await page.evaluate(() => { document.documentElement.style.overflowAnchor = 'none'; });
  const scrollBefore = await page.evaluate(() => window.scrollY);
  const padBefore = await pixels(pad);
  const client = await page.context().newCDPSession(page);
  const touch = (type, y) =>
    client.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: type === 'touchEnd' ? [] : [{ x: box.x + box.width * 0.5, y: box.y + box.height * y }],
    });
  // A "1": one stroke down the middle.
  await touch('touchStart', 0.15);
  for (let i = 1; i <= 12; i++) await touch('touchMove', 0.15 + 0.06 * i);
  await touch('touchEnd');
  await page.waitForFunction(() => /Prediction 1 \(/.test(document.querySelector('.prediction')?.textContent));
  assert.notEqual(await pixels(pad), padBefore, 'the finger drew on the pad');
  assert.equal(await section.locator('.digit-strip button[aria-pressed="true"]').count(), 0, 'the drawing, not a test digit, is read');
  assert.equal(await page.evaluate(() => window.scrollY), scrollBefore, 'drawing did not scroll the page');
  assertNoErrors(problems);
});

e2e('bad settings are refused in words, divergence pauses with advice, Reset recovers', async (t) => {
  const { page, section, problems } = await openPage(t);
  const rate = section.getByLabel('Learning rate', { exact: true });
  for (const [typed, words] of [
    ['abc', 'is not a number'],
    ['1e400', 'too large'],
    ['', 'Type a learning rate'],
    ['-1', 'above 0'],
  ]) {
    await rate.fill(typed);
    await rate.press('Enter');
    await section.locator('.notice.error', { hasText: words }).waitFor();
    await rate.blur();
    assert.equal(await rate.inputValue(), '0.15', `the previous rate stays after "${typed}"`);
  }
  const seed = section.getByLabel('Seed', { exact: true });
  await seed.fill('x');
  await seed.press('Enter');
  await section.locator('.notice.error', { hasText: 'whole number' }).waitFor();

  await rate.fill('80');
  await rate.press('Enter');
  await button(section, 'Train').click();
  const notice = section.locator('.notice.error', { hasText: 'diverged' });
  await notice.waitFor({ timeout: 60_000 });
  assert.match(await notice.textContent(), /lower it \(try 8\) and press Reset/);
  await button(section, 'Train').waitFor();
  // No NaN anywhere on the page.
  assert.doesNotMatch(await section.textContent(), /NaN/);

  await rate.fill('0.05');
  await rate.press('Enter');
  await button(section, 'Reset').click();
  await page.waitForFunction(() => !/diverged/.test(document.querySelector('.training-notices')?.textContent));
  await button(section, 'Step').click();
  await page.waitForFunction(() => /Samples seen 320\b/.test(document.querySelector('.training-status .status')?.textContent));
  assertNoErrors(problems);
});

e2e('a crashed worker is reported and Restart brings training back', async (t) => {
  const { page, section, problems } = await openPage(t);
  const [worker] = page.workers();
  assert.ok(worker, 'training runs in a Web Worker');
  await worker.evaluate(() => setTimeout(() => { throw new Error('simulated crash'); }));
  const lost = section.locator('.notice.error', { hasText: 'training worker stopped' });
  await lost.waitFor();
  assert.match(await lost.textContent(), /simulated crash/);
  await button(section, 'Restart').click();
  await page.waitForFunction(() => {
    const b = [...document.querySelectorAll('.training button')].find((x) => x.textContent.trim() === 'Train');
    return b && !b.disabled && !document.querySelector('.training-notices .notice');
  }, null, { timeout: 60_000 });
  await button(section, 'Step').click();
  await page.waitForFunction(() => /Samples seen 320\b/.test(document.querySelector('.training-status .status')?.textContent));
  // The simulated crash is the only error the page may have logged.
  assertNoErrors(problems.filter((p) => !p.includes('simulated crash')));
});

e2e("the explorer's kernel planted as filter 1 stays put when frozen, and learns when not", async (t) => {
  const { page, section, problems } = await openPage(t);
  const filter = (n) => section.getByRole('img', { name: new RegExp(`^Filter ${n}( \\(planted, frozen\\))?:`) });
  const label = async (n) => (await filter(n).getAttribute('aria-label')).replace(/^[^:]*: /, '');
  assert.match(await section.getByRole('img', { name: /^Your kernel/ }).getAttribute('aria-label'), /−1, −1, −1; −1, 8, −1; −1, −1, −1/);
  await button(section, 'Plant my kernel as filter 1').click();
  await section.getByRole('img', { name: /^Filter 1 \(planted, frozen\): −1, −1, −1; −1, 8, −1; −1, −1, −1$/ }).waitFor();
  const other = await label(2);
  await button(section, 'Step').click();
  await page.waitForFunction(() => /Samples seen 320\b/.test(document.querySelector('.training-status .status')?.textContent));
  await page.waitForFunction((before) => {
    const img = [...document.querySelectorAll('[aria-label^="Filter 2:"]')][0];
    return img && !img.getAttribute('aria-label').endsWith(before);
  }, other);
  assert.equal(await label(1), '−1, −1, −1; −1, 8, −1; −1, −1, −1', 'the frozen filter did not move');
  // Trainable this time: training reshapes it.
  await section.getByLabel('Keep it frozen').uncheck();
  await button(section, 'Plant my kernel as filter 1').click();
  await section.getByRole('img', { name: /^Filter 1: −1, −1, −1; −1, 8, −1; −1, −1, −1$/ }).waitFor();
  await button(section, 'Step').click();
  await page.waitForFunction(() => /Samples seen 640\b/.test(document.querySelector('.training-status .status')?.textContent));
  await page.waitForFunction(() => {
    const img = document.querySelector('[aria-label^="Filter 1:"]');
    return img && !img.getAttribute('aria-label').endsWith('−1, −1, −1; −1, 8, −1; −1, −1, −1');
  });
  // A 5 × 5 explorer kernel does not fit the network's 3 × 3 filters: the page says how to
  // plant it instead of a button that silently does nothing.
  await page.getByLabel('Kernel size', { exact: true }).selectOption('5');
  await page.waitForFunction(() =>
    /set the explorer's Kernel size to 3/.test(document.querySelector('.your-kernel')?.textContent ?? ''));
  assert.equal(await button(section, 'Plant my kernel as filter 1').isDisabled(), true);
  assertNoErrors(problems);
});

e2e('the training controls are reachable and work from the keyboard', async (t) => {
  const { page, section, problems } = await openPage(t);
  const trainButton = button(section, 'Train');
  await trainButton.focus();
  const names = [];
  for (let i = 0; i < 21; i++) {
    names.push(await page.evaluate(() => {
      const el = document.activeElement;
      return el.getAttribute('aria-label') ?? (el.labels?.[0]?.textContent.trim()) ?? el.textContent.trim();
    }));
    await page.keyboard.press('Tab');
  }
  // Filters in conv 3 is disabled with two blocks, so Tab passes it.
  assert.deepEqual(names.slice(0, 19), [
    'Train', 'Step', 'Reset', 'Dataset', 'Learning rate', 'Optimizer', 'Batch size', 'Conv blocks',
    'Filters in conv 1', 'Filters in conv 2', 'Network kernel size', 'Network padding', 'Network pooling',
    'Network activation', 'Dense hidden units', 'Dropout', 'Weight decay', 'Training examples', 'Seed',
  ]);
  // Space on Train starts training; its button becomes Pause, which Space stops.
  await trainButton.focus();
  await page.keyboard.press('Space');
  const pause = button(section, 'Pause');
  await pause.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Pause', 'the focus stays on the button');
  await page.keyboard.press('Space');
  await button(section, 'Train').waitFor();
  // Every control of the section can take the focus.
  const unreachable = await page.evaluate(() =>
    [...document.querySelectorAll('.training :is(input, select, button)')]
      .filter((el) => !el.disabled && el.tabIndex < 0)
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unreachable, []);
  assertNoErrors(problems);
});

e2e('digits that cannot be downloaded are reported, and the explorer still works', async (t) => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  t.after(() => context.close());
  await context.route('**/mnist/digits.png', (route) => route.fulfill({ status: 404, body: 'not found' }));
  const page = await context.newPage();
  await page.goto(server.url, { waitUntil: 'load' });
  const section = page.getByRole('region', { name: 'Training', exact: true });
  const alert = section.getByRole('alert');
  await alert.waitFor({ timeout: 30_000 });
  assert.match(await alert.textContent(), /Training is unavailable: Could not download .*mnist\/digits\.png: the server answered 404/);
  assert.ok(await button(section, 'Train').isDisabled(), 'nothing to train on');
  // The kernel explorer is unaffected.
  await page.getByLabel('Kernel row 2 column 2', { exact: true }).fill('4');
  await page.waitForFunction(() => /Sum of weights: −4/.test(document.querySelector('.kernel-sum')?.textContent ?? ''));
});

e2e('Reset with the same seed repeats a run; another optimizer brings its own learning rate', async (t) => {
  const { page, section, problems } = await openPage(t);
  const filterValues = () => section.getByRole('img', { name: /^Filter 2:/ }).getAttribute('aria-label');
  const stepFromReset = async () => {
    await button(section, 'Reset').click();
    await page.waitForFunction(() => /Samples seen 0\b/.test(document.querySelector('.training-status .status')?.textContent));
    await button(section, 'Step').click();
    await page.waitForFunction(() => /Samples seen 320\b/.test(document.querySelector('.training-status .status')?.textContent));
    await page.waitForTimeout(300);
    return filterValues();
  };
  const first = await stepFromReset();
  const second = await stepFromReset();
  assert.equal(second, first, 'the same seed gives the same weights after the same steps');
  const seed = section.getByLabel('Seed', { exact: true });
  await seed.fill('2');
  await seed.press('Enter');
  await page.waitForFunction(() => /Samples seen 0\b/.test(document.querySelector('.training-status .status')?.textContent));
  assert.notEqual(await stepFromReset(), first, 'another seed, other weights');

  await section.getByLabel('Optimizer', { exact: true }).selectOption('Adam');
  await page.waitForFunction(() => document.getElementById('learning-rate')?.value === '0.001');
  await button(section, 'Step').click();
  await page.waitForFunction(() => /Samples seen 640\b/.test(document.querySelector('.training-status .status')?.textContent));
  assert.equal(await section.locator('.training-notices .notice').count(), 0);
  assertNoErrors(problems);
});

e2e('the worker build: relaxed SIMD where the browser validates it, plain SIMD where not (Safari), both train', async (t) => {
  const wasmAsked = (page) => {
    const asked = [];
    page.on('request', (r) => {
      const name = new URL(r.url()).pathname.split('/').pop();
      if (name.startsWith('worker')) asked.push(name);
    });
    return asked;
  };
  const chromium = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  t.after(() => chromium.close());
  const page = await chromium.newPage();
  const asked = wasmAsked(page);
  await page.goto(server.url, { waitUntil: 'load' });
  const section = page.getByRole('region', { name: 'Training', exact: true });
  await page.waitForFunction(() => /Test accuracy/.test(document.querySelector('.training-status .status')?.textContent), null, { timeout: 60_000 });
  assert.ok(asked.includes('worker_relaxed_bg.wasm'), `relaxed build loaded: ${asked}`);
  assert.ok(!asked.includes('worker_bg.wasm'), `plain build not loaded too: ${asked}`);
  const relaxed = await stepAndScore(page, section);

  // A browser without relaxed SIMD: the loader's check answers no, as Safari's does.
  const plain = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  t.after(() => plain.close());
  await plain.route('**/worker_loader.js', async (route) => {
    const response = await route.fetch();
    const body = 'WebAssembly.validate = () => false;\n' + (await response.text());
    await route.fulfill({ response, body });
  });
  const safari = await plain.newPage();
  const problems = collectProblems(safari);
  const askedPlain = wasmAsked(safari);
  await safari.goto(server.url, { waitUntil: 'load' });
  const plainSection = safari.getByRole('region', { name: 'Training', exact: true });
  await safari.waitForFunction(() => /Test accuracy/.test(document.querySelector('.training-status .status')?.textContent), null, { timeout: 60_000 });
  assert.ok(askedPlain.includes('worker_bg.wasm'), `plain build loaded: ${askedPlain}`);
  assert.ok(!askedPlain.includes('worker_relaxed_bg.wasm'), `relaxed build not loaded: ${askedPlain}`);
  const simd = await stepAndScore(safari, plainSection);
  for (const run of [relaxed, simd]) {
    assert.ok(run.accuracy > 30, `ten batches teach either build something: ${run.text}`);
  }
  assertNoErrors(problems);
});

e2e('a worker that hangs while training is reported, and Restart replaces it', async (t) => {
  const { page, section, problems } = await openPage(t);
  await button(section, 'Train').click();
  await button(section, 'Pause').waitFor();
  const [worker] = page.workers();
  // Busy for 30 s without a turn of its event loop: no reports, no error either.
  await worker.evaluate(() => setTimeout(() => { const end = Date.now() + 30_000; while (Date.now() < end); }));
  const stuck = section.locator('.notice.error', { hasText: 'stopped answering' });
  await stuck.waitFor({ timeout: 25_000 });
  assert.match(await stuck.textContent(), /nothing for 10 seconds while it was training/);
  await button(section, 'Restart').click();
  await page.waitForFunction(() => {
    const b = [...document.querySelectorAll('.training button')].find((x) => x.textContent.trim() === 'Train');
    return b && !b.disabled && !document.querySelector('.training-notices .notice');
  }, null, { timeout: 60_000 });
  assertNoErrors(problems);
});

e2e('Fashion-MNIST: choosing it loads it in a new worker, and the strip, answers and matrix name its classes', async (t) => {
  const { page, section, problems } = await openPage(t);
  await section.getByLabel('Dataset', { exact: true }).selectOption('Fashion-MNIST');
  await page.waitForFunction(() => /Loading 10,000 Fashion-MNIST images/.test(document.querySelector('.training-status')?.textContent ?? ''),
    null, { timeout: 30_000 }).catch(() => {});
  await page.waitForFunction(
    () => /Test accuracy/.test(document.querySelector('.training-status .status')?.textContent) &&
      /^Test image /.test(document.querySelector('.digit-strip button')?.getAttribute('aria-label') ?? ''),
    null,
    { timeout: 60_000 },
  );
  const names = await section.locator('.digit-strip button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
  assert.equal(names.length, 20);
  const classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  for (const name of classes) {
    assert.ok(names.some((n) => n.endsWith(`(a ${name})`)), `a strip image of ${name} in ${names}`);
  }
  assert.match(await section.locator('h3', { hasText: 'Follow one' }).textContent(), /Follow one image through the network/);
  assert.match(await section.locator('.pad-side .hint').textContent(), /^Draw a piece of clothing, a shoe or a bag/);
  // A few seconds of training: the network tells clothes apart well beyond chance.
  await trainTo(page, section, 70);
  const rows = await section.locator('table.confusion tbody th').allTextContents();
  assert.deepEqual(rows.map((r) => r.replace('true ', '')), classes.map((c, i) => `${i} ${c}`));
  assert.match(await section.locator('.prediction .answer').textContent(), new RegExp(`Prediction (${classes.join('|')}) \\(`));
  assert.match(page.url(), /dataset=fashion/);
  // Back to the digits: they load again, and name themselves.
  await section.getByLabel('Dataset', { exact: true }).selectOption('MNIST digits');
  await page.waitForFunction(
    () => /^Test digit \d+ \(a \d\)$/.test(document.querySelector('.digit-strip button')?.getAttribute('aria-label') ?? ''),
    null,
    { timeout: 60_000 },
  );
  assertNoErrors(problems);
});

e2e('your own architecture: the table follows every choice, a network that leaves nothing is refused in words, and it trains', async (t) => {
  const { page, section, problems } = await openPage(t);
  const table = section.locator('table.network-table');
  const rows = async () => (await table.locator('tbody tr').allTextContents()).length;
  assert.equal(await rows(), 9, 'input + the default 8 layers');
  assert.match(await table.locator('tfoot').textContent(), /Total9,098/);
  assert.equal(await section.getByLabel('Filters in conv 3', { exact: true }).isDisabled(), true);
  await section.getByLabel('Conv blocks', { exact: true }).selectOption('3');
  assert.equal(await section.getByLabel('Filters in conv 3', { exact: true }).isDisabled(), false);
  await section.getByLabel('Network kernel size', { exact: true }).selectOption('5 × 5');
  await section.getByLabel('Network pooling', { exact: true }).selectOption('average');
  await section.getByLabel('Dense hidden units', { exact: true }).selectOption('64');
  await page.waitForFunction(() => document.querySelectorAll('table.network-table tbody tr').length === 14);
  const shapes = await table.locator('tbody td.shape').allTextContents();
  assert.deepEqual(shapes, ['1 × 28 × 28', '8 × 28 × 28', '8 × 28 × 28', '8 × 14 × 14', '16 × 14 × 14', '16 × 14 × 14',
    '16 × 7 × 7', '32 × 7 × 7', '32 × 7 × 7', '32 × 3 × 3', '288 × 1 × 1', '64 × 1 × 1', '64 × 1 × 1', '10 × 1 × 1']);
  const counts = (await table.locator('tbody td.count').allTextContents()).map((c) => Number(c.replace(/,/g, '')));
  const total = Number((await table.locator('tfoot td.count').textContent()).replace(/,/g, ''));
  assert.equal(total, counts.reduce((a, b) => a + b, 0));
  assert.equal(counts[1], 8 * 25 + 8, 'conv 1: 8 filters of 5 × 5 × 1, and their biases');
  assert.match(await table.locator('tbody tr').nth(7).textContent(), /5×5 filters, stride 1, SAME/);
  // Three VALID 5 × 5 blocks leave nothing of 28 × 28: refused in words, nothing changes.
  await section.getByLabel('Network padding', { exact: true }).selectOption('VALID');
  await section.getByText(/This network cannot be built: .*choose SAME padding, a smaller kernel or fewer blocks/).waitFor();
  assert.equal(await section.getByLabel('Network padding', { exact: true }).inputValue(), 'SAME');
  assert.equal(await rows(), 14);
  // Dropout before the last dense layer, and weight decay.
  await section.getByLabel('Dropout', { exact: true }).selectOption('50 %');
  await section.getByLabel('Weight decay', { exact: true }).selectOption('1e-3');
  await page.waitForFunction(() => document.querySelectorAll('table.network-table tbody tr').length === 15);
  assert.match(await table.locator('tbody tr').nth(13).textContent(), /^13 · dropout64 × 1 × 1/);
  await section.getByLabel('Training examples', { exact: true }).selectOption('500');
  await trainTo(page, section, 60);
  await page.waitForTimeout(1000);
  for (const field of ['blocks=3', 'net-kernel=5', 'net-pooling=average', 'hidden=64', 'dropout=0.5', 'decay=0.001', 'examples=500']) {
    assert.ok(page.url().includes(field), `${field} in ${page.url()}`);
  }
  assertNoErrors(problems.filter((p) => !/cannot be built/.test(p)));
});

e2e('overfitting you can see: 500 Fashion-MNIST images learnt by heart, and a sentence says so and what to try', async (t) => {
  const { page, section, problems } = await openPage(t);
  const sentence = section.locator('.curves .overfitting');
  assert.equal(await sentence.textContent(), '');
  await section.getByLabel('Dataset', { exact: true }).selectOption('Fashion-MNIST');
  await page.waitForFunction(
    () => /^Test image /.test(document.querySelector('.digit-strip button')?.getAttribute('aria-label') ?? '') &&
      [...document.querySelectorAll('.training button')].some((b) => b.textContent.trim() === 'Train' && !b.disabled),
    null,
    { timeout: 60_000 },
  );
  await section.getByLabel('Training examples', { exact: true }).selectOption('500');
  await button(section, 'Train').click();
  await page.waitForFunction(() => document.querySelector('.curves .overfitting')?.textContent.startsWith('Overfitting'),
    null, { timeout: TRAIN_TIMEOUT, polling: 500 });
  await button(section, 'Pause').click();
  const text = await sentence.textContent();
  const m = /^Overfitting: ([\d.]+) % right on the training images but ([\d.]+) % on the test ones, and the test loss has climbed from its best, ([\d.]+), to ([\d.]+)\./.exec(text);
  assert.ok(m, text);
  assert.ok(Number(m[1]) - Number(m[2]) >= 5, text);
  assert.ok(Number(m[4]) >= Number(m[3]) * 1.15, text);
  assert.match(text, /Try dropout, weight decay, more training examples or a smaller network/);
  // Reset starts the curves over: no overfitting to speak of.
  await button(section, 'Reset').click();
  await page.waitForFunction(() => document.querySelector('.curves .overfitting')?.textContent === '');
  assertNoErrors(problems);
});

e2e('why this answer: a saliency map of the followed digit, for the answer and for any class asked for', async (t) => {
  const { page, section, problems } = await openPage(t);
  await trainTo(page, section, 90);
  const map = section.locator('.saliency canvas');
  const answer = /^Prediction (\d) /.exec(await section.locator('.prediction .answer').textContent())[1];
  assert.equal(await map.getAttribute('aria-label'), `Saliency map for ${answer}: red pixels raise its score, blue ones lower it`);
  const colours = () => map.evaluate((c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return seen.size;
  });
  assert.ok(await colours() > 20, 'a map, not a flat square');
  const before = await map.evaluate((c) => c.toDataURL());
  const other = answer === '3' ? '8' : '3';
  await section.getByLabel('Explain the score of', { exact: true }).selectOption(other);
  await page.waitForFunction((o) => document.querySelector('.saliency canvas')?.getAttribute('aria-label').startsWith(`Saliency map for ${o}:`), other);
  await page.waitForFunction((b) => document.querySelector('.saliency canvas').toDataURL() !== b, before);
  assert.match(await section.locator('.saliency .hint').textContent(), new RegExp(`^For ${other}: red where more ink would raise its score`));
  await section.getByLabel('Explain the score of', { exact: true }).selectOption('the answer');
  await page.waitForFunction((a) => document.querySelector('.saliency canvas')?.getAttribute('aria-label').startsWith(`Saliency map for ${a}:`), answer);
  assertNoErrors(problems);
});

/** Presses Step and waits until its evaluation scored the weights as they are now. */
async function stepAndScore(page, section) {
  const before = (await status(section)).samples;
  await button(section, 'Step').click();
  await page.waitForFunction((b) => {
    const seen = /Samples seen ([\d,]+)/.exec(document.querySelector('.training-status .status')?.textContent ?? '');
    return seen && Number(seen[1].replace(/,/g, '')) > b;
  }, before);
  return scoredNow(page, section);
}

/** Waits until the last evaluation scored the weights as they are now. */
async function scoredNow(page, section) {
  await page.waitForFunction(() => {
    const said = /after ([\d,]+) samples/.exec(document.querySelector('.training [aria-live="polite"]')?.textContent ?? '');
    const seen = /Samples seen ([\d,]+)/.exec(document.querySelector('.training-status .status')?.textContent ?? '');
    return said && seen && said[1] === seen[1];
  }, null, { timeout: 30_000 });
  return status(section);
}

/** The confusion matrix's 100 counts, row by row. */
const confusionCounts = async (section) =>
  (await section.locator('table.confusion tbody button.cell').allTextContents()).map(Number);

/** Runs tests/reference/run_onnx.py (onnxruntime) on a model file. */
function runOnnx(python, model, dataset = 'mnist') {
  const out = join(dirname(model), 'out.json');
  execFileSync(python, [join(REPO, 'tests/reference/run_onnx.py'), model, join(REPO, 'www', dataset), out]);
  return JSON.parse(readFileSync(out, 'utf8'));
}

// Issue 12, "take the model away": the page's model runs in onnxruntime (after the ONNX
// checker) with the page's answers on all 2,000 test digits; Open model brings it back.
e2e('the downloaded model gives onnxruntime the page\'s answers, and Open model trains on from it', async (t) => {
  const python = process.env.CONVLAB_PYTHON;
  if (!python) return t.skip('CONVLAB_PYTHON (a Python with onnxruntime) is not set; scripts/test.sh sets it');
  const { page, section, problems } = await openPage(t);
  await trainTo(page, section, 90);
  // A Step ends with an evaluation of the weights as they are.
  const trained = await stepAndScore(page, section);
  const counts = await confusionCounts(section);
  const [dl] = await Promise.all([page.waitForEvent('download'), button(section, 'Download model (.onnx)').click()]);
  assert.equal(dl.suggestedFilename(), 'convlab-mnist.onnx');
  const dir = mkdtempSync(join(tmpdir(), 'convlab-onnx-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const model = join(dir, 'convlab-mnist.onnx');
  await dl.saveAs(model);
  const ort = runOnnx(python, model);
  assert.deepEqual(ort.confusion.flat(), counts, 'onnxruntime answers every test digit as the page did');
  // The same number right (the status rounds to one decimal).
  assert.equal(Math.round(ort.accuracy * 2000), counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0));
  assert.ok(Math.abs(ort.accuracy * 100 - trained.accuracy) <= 0.051, `${ort.accuracy} vs ${trained.text}`);
  assert.equal(ort.metadata['convlab.samples'], String(trained.samples));

  // One cell of mistakes, image by image: the same digits, the same answers.
  let cell = null;
  for (let i = 0; i < 100 && !cell; i++) if (i % 11 !== 0 && counts[i] > 0) cell = [Math.floor(i / 10), i % 10];
  const [truth, predicted] = cell;
  await section.getByRole('button', { name: new RegExp(`^\\d+ of the \\d+ test digits that are ${truth} read as ${predicted}$`) }).click();
  const images = section.locator('.cell-images button');
  await images.first().waitFor();
  const names = await images.evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
  const expected = ort.labels.map((label, i) => [label, ort.predicted[i], i + 1])
    .filter(([label, answer]) => label === truth && answer === predicted).map(([, , n]) => n);
  const listed = names.map((n) => Number(/^Follow test digit (\d+) \(/.exec(n)[1]));
  assert.deepEqual([...listed].sort((a, b) => a - b), expected.slice(0, 50).sort((a, b) => a - b));
  for (const name of names) assert.match(name, new RegExp(`^Follow test digit \\d+ \\(${predicted} \\d+ %, \\d \\d+ %\\)$`));
  // Following one shows it above, with its label.
  await images.first().click();
  await page.waitForFunction((n) => document.querySelector('.prediction')?.textContent.includes(`(a ${n})`) ?? false, String(truth))
    .catch(() => {});
  assert.match(await section.locator('.confusion-cell p').first().textContent(), new RegExp(`that are ${truth} but were read as ${predicted}, after [\\d,]+ samples`));

  // Open model: a new run from these weights, scored at once with the same answers.
  await button(section, 'Reset').click();
  await page.waitForFunction(() => /Samples seen 0\b/.test(document.querySelector('.training-status .status')?.textContent ?? ''));
  await section.getByLabel('Open model', { exact: true }).setInputFiles(model);
  await page.waitForFunction(() => /This run started from the model convlab-mnist\.onnx \(MNIST digits, [\d,]+ samples\)\./
    .test(document.querySelector('.model-origin')?.textContent ?? ''));
  const reopened = await scoredNow(page, section);
  assert.equal(reopened.samples, 0);
  assert.equal(reopened.accuracy, trained.accuracy);
  assert.deepEqual(await confusionCounts(section), counts);
  // …and it trains on from there.
  assert.ok((await stepAndScore(page, section)).samples > 0);

  // Anything else is refused in words, and the run goes on.
  const before = await status(section);
  const refusals = [
    [join(REPO, 'tests/fixtures/explorer/wide_rgb.png'), /“wide_rgb\.png” was not opened\. This is not an ONNX model/],
    [join(dir, 'cut.onnx'), /“cut\.onnx” was not opened\. /],
    [join(dir, 'huge.onnx'), /“huge\.onnx” was not opened\. It is 1024 MB, and a model ConvLab writes is at most 16 MB/],
  ];
  writeFileSync(join(dir, 'cut.onnx'), readFileSync(model).subarray(0, 3000));
  writeFileSync(join(dir, 'huge.onnx'), '');
  truncateSync(join(dir, 'huge.onnx'), 1 << 30);
  for (const [file, words] of refusals) {
    await section.getByLabel('Open model', { exact: true }).setInputFiles(file);
    await page.waitForFunction((w) => new RegExp(w).test(document.querySelector('.training-notices')?.textContent ?? ''), words.source);
    assert.deepEqual(await status(section), before, 'the run is kept');
    await section.getByRole('button', { name: 'Dismiss', exact: true }).click();
  }
  assertNoErrors(problems);
});

// Issue 12, speed: the largest network the controls build (three blocks of 16, 32 and 64
// 5 × 5 filters, a hidden layer of 128) trains at its own pace, shown, with no main-thread
// long task while its 112 feature maps are redrawn with every snapshot.
e2e('the largest network trains with its speed shown and no main-thread long task', async (t) => {
  const largest = '?blocks=3&conv1=16&conv2=32&conv3=64&net-kernel=5&hidden=128';
  const { page, section, problems } = await openPage(t, undefined, largest);
  assert.match(await section.locator('table.network-table tfoot').textContent(), /Total[\d,]+/);
  assert.equal(await section.getByRole('img', { name: /^Filter \d+:/ }).count(), 16);
  await button(section, 'Train').click();
  const clicked = await page.evaluate(() => performance.now());
  await page.waitForTimeout(8000);
  const running = await status(section);
  await button(section, 'Pause').click();
  await button(section, 'Train').waitFor();
  const paused = await page.evaluate(() => performance.now());
  assert.ok(running.speed > 0, `samples/s shown: ${running.text}`);
  console.log(`largest network: ${running.speed} samples/s in the page (${running.text})`);
  assert.deepEqual(await longTasksBetween(page, clicked + 1000, paused), [], 'no main-thread task over 50 ms');
  assertNoErrors(problems);
});
