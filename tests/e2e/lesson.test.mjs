// The whole lesson in the address (issue 11): every explorer and training setting goes into
// the link that "Copy link" copies, and opening that link in a fresh browser restores the
// page exactly (the same exported .npy bytes); Back and Forward walk through settled edits,
// one history entry each; a picture of the user's own is never in a link; and a link from a
// stranger (tests/fixtures/links/hostile.json, and links too large to keep in a file) is used
// field by field, with a notice naming each field it could not use, and never panics, hangs,
// runs a script or injects markup.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, collectProblems } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.CONVLAB_DIST ?? join(HERE, '..', '..', 'dist'));
const CORPUS = JSON.parse(readFileSync(join(HERE, '..', 'fixtures', 'links', 'hostile.json'), 'utf8'));
const PHOTO = join(HERE, '..', 'fixtures', 'explorer', 'alpha_rgba.png');
/** The page writes the address once the settings have been still this long (and a bit). */
const SETTLED_MS = 1_000;

let server;
let browser;
before(async () => {
  assert.ok(existsSync(join(DIST, 'index.html')), `no built app in ${DIST}`);
  server = await serve(DIST);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function newContext(t) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  t.after(() => context.close());
  return context;
}

/** Waits until every stage canvas has a size and no load is under way, then two frames. */
async function waitIdle(page) {
  await page.waitForFunction(
    () => {
      const maps = [...document.querySelectorAll('figure.stage canvas.map')];
      return !document.querySelector('p.notice.busy') && maps.length >= 3 && maps.every((c) => c.width > 0);
    },
    null,
    { timeout: 30_000 },
  );
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0)))));
}

async function open(t, url = server.url) {
  const context = await newContext(t);
  const page = await context.newPage();
  const problems = collectProblems(page);
  page.on('dialog', (dialog) => {
    problems.push(`a dialog opened: ${dialog.message()}`);
    dialog.dismiss();
  });
  await page.goto(url);
  await waitIdle(page);
  return { page, problems };
}

const control = (page, name) => page.getByLabel(name, { exact: true });
const button = (page, name) => page.getByRole('button', { name, exact: true });

/** Every control's value on the page, by its accessible name (the explorer's and training's
 * selects and text fields, every kernel cell and bias, the step-through). */
function controlValues(page) {
  return page.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll('main select, main input')) {
      const label = el.getAttribute('aria-label') ?? (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent);
      if (!label || el.type === 'file' || el.type === 'range') continue;
      out[label.trim()] = el.type === 'checkbox' ? el.checked : el.value;
    }
    out['step status'] = document.querySelector('.step-status')?.textContent ?? null;
    out.source = document.querySelector('.source-line')?.textContent ?? null;
    return out;
  });
}

/** Clicks a download button, resolves to the file's bytes. Paced: Chromium drops script
 * downloads that come too fast. */
async function download(page, name) {
  await page.waitForTimeout(250);
  const [dl] = await Promise.all([page.waitForEvent('download'), button(page, name).click()]);
  return readFile(await dl.path());
}

async function exports(page, names) {
  const out = {};
  for (const name of names) out[name] = await download(page, name);
  return out;
}

async function copyLink(page) {
  await button(page, 'Copy link').click();
  await page.getByText(/^Link copied/).waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

test('Copy link carries every field; the link opens the same page in a fresh browser, byte for byte', { timeout: 180_000 }, async (t) => {
  const { page, problems } = await open(t);
  await button(page, 'Sample: Coffee').click();
  await page.locator('.source-line', { hasText: 'coffee.jpg' }).waitFor();
  await control(page, 'Working size').selectOption('32');
  await control(page, 'Channels').selectOption('RGB');
  await control(page, 'Filters').selectOption('3');
  await control(page, 'Kernel size').selectOption('5');
  await control(page, 'Filter 1 red row 1 column 1').fill('1/7');
  await control(page, 'Filter 1 green row 3 column 3').fill('-2,5');
  await control(page, 'Filter 2 bias').fill('0.125');
  await control(page, 'Filter 3 preset').selectOption('Sobel y');
  // A cell being typed that is not a number yet: the link carries the kernel in use.
  await control(page, 'Filter 2 blue row 2 column 2').fill('-');
  await control(page, 'Padding').selectOption('VALID');
  await control(page, 'Stride').selectOption('2');
  await control(page, 'Activation').selectOption('Tanh');
  await control(page, 'Pooling').selectOption('Average');
  await control(page, 'Colormap').selectOption('Gray');
  await control(page, 'Color range').selectOption('Full range');
  await control(page, 'Color scale').selectOption('Each map its own');
  await control(page, 'Step through').check();
  for (let i = 0; i < 6; i++) await button(page, 'Next step').click();
  await control(page, 'Speed').selectOption('10 steps per second');
  await control(page, 'Optimizer').selectOption('Adam');
  await control(page, 'Learning rate').fill('0.0123');
  await control(page, 'Learning rate').press('Enter');
  await control(page, 'Batch size').selectOption('64');
  await control(page, 'Filters in conv 1').selectOption('4');
  await control(page, 'Filters in conv 2').selectOption('32');
  await control(page, 'Network activation').selectOption('tanh');
  await control(page, 'Seed').fill('7');
  await control(page, 'Seed').press('Enter');
  await waitIdle(page);

  const link = await copyLink(page);
  const url = new URL(link);
  assert.equal(url.origin + url.pathname, server.url, 'the page itself, with the lesson in the query');
  for (const field of ['sample=coffee', 'size=32', 'channels=rgb', 'filters=3', 'kernel=5', 'f1r=', 'b2=0.125',
    'f3r=sobel-y', 'padding=valid', 'stride=2', 'activation=tanh', 'pooling=average', 'colormap=gray',
    'range=full', 'scale=map', 'step=7', 'speed=10', 'optimizer=adam', 'lr=0.0123', 'batch=64', 'conv1=4',
    'conv2=32', 'net-activation=tanh', 'seed=7']) {
    assert.ok(link.includes(field), `${field} in ${link}`);
  }
  const files = ['Input .npy', 'Convolution .npy', 'Tanh .npy', 'Average pooling .npy', 'Kernels .npy', 'Biases .npy'];
  const before = await exports(page, files);
  const values = await controlValues(page);
  assert.equal(values['Filter 2 blue row 2 column 2'], '-');
  assert.deepEqual(problems, []);

  const { page: opened, problems: openedProblems } = await open(t, link);
  assert.equal(await opened.locator('.link-notices').count(), 0, 'a link the page wrote has nothing to refuse');
  const after = await exports(opened, files);
  for (const name of files) assert.ok(before[name].equals(after[name]), `${name}: the same bytes`);
  const restored = await controlValues(opened);
  // The half-typed cell opens as the weight in use (Sobel x's −1 there).
  assert.equal(restored['Filter 2 blue row 2 column 2'], '-1');
  assert.deepEqual([values['Filter 2 preset'], restored['Filter 2 preset']], ['Custom', 'Sobel x']);
  for (const name of ['Filter 2 blue row 2 column 2', 'Filter 2 preset']) {
    delete values[name];
    delete restored[name];
  }
  values['Filter 1 green row 3 column 3'] = '-2.5';
  assert.deepEqual(restored, values);
  await opened.waitForTimeout(SETTLED_MS);
  assert.equal(opened.url(), link, 'the address is left as the link said');
  assert.deepEqual(openedProblems, []);
});

test('Back and Forward walk through settled edits: one history entry each, not one per keystroke', { timeout: 120_000 }, async (t) => {
  const { page, problems } = await open(t);
  await page.waitForTimeout(SETTLED_MS);
  const length = () => page.evaluate(() => history.length);
  const start = await length();
  assert.match(page.url(), /\?v=1&sample=cat&size=300/, 'the address shows the lesson, without a new entry');
  const cell = control(page, 'Kernel row 1 column 1');
  await cell.fill('');
  await cell.pressSequentially('-0.25', { delay: 60 });
  await page.waitForTimeout(SETTLED_MS);
  assert.equal(await length(), start + 1, 'five keystrokes, one entry');
  await control(page, 'Stride').selectOption('2');
  await page.waitForTimeout(SETTLED_MS);
  await control(page, 'Step through').check();
  await page.waitForTimeout(SETTLED_MS);
  assert.equal(await length(), start + 3);
  for (let i = 0; i < 4; i++) await button(page, 'Next step').click();
  await page.waitForTimeout(SETTLED_MS);
  assert.equal(await length(), start + 3, 'moving through steps rewrites the entry');
  assert.match(page.url(), /&step=5&/);
  await control(page, 'Seed').fill('42');
  await control(page, 'Seed').press('Enter');
  await page.waitForTimeout(SETTLED_MS);
  assert.equal(await length(), start + 4);

  const state = async () => ({
    cell: await cell.inputValue(),
    stride: await control(page, 'Stride').inputValue(),
    stepping: await control(page, 'Step through').isChecked(),
    status: await page.locator('.step-status').count() ? (await page.locator('.step-status').textContent()).slice(0, 9) : null,
    seed: await control(page, 'Seed').inputValue(),
  });
  const expected = [
    { cell: '-0.25', stride: '2', stepping: true, status: 'Step 5 of', seed: '42' },
    { cell: '-0.25', stride: '2', stepping: true, status: 'Step 5 of', seed: '1' },
    { cell: '-0.25', stride: '2', stepping: false, status: null, seed: '1' },
    { cell: '-0.25', stride: '1', stepping: false, status: null, seed: '1' },
    { cell: '-1', stride: '1', stepping: false, status: null, seed: '1' },
  ];
  assert.deepEqual(await state(), expected[0]);
  for (let i = 1; i < expected.length; i++) {
    await page.goBack();
    await page.waitForTimeout(400);
    await waitIdle(page);
    assert.deepEqual(await state(), expected[i], `Back ${i}`);
  }
  for (let i = expected.length - 2; i >= 0; i--) {
    await page.goForward();
    await page.waitForTimeout(400);
    await waitIdle(page);
    assert.deepEqual(await state(), expected[i], `Forward to ${i}`);
  }
  await page.waitForTimeout(SETTLED_MS);
  assert.equal(await length(), start + 4, 'opening an entry adds none');
  assert.deepEqual(problems, []);
});

test('a picture of your own is not in the link: Copy link says so, and the link opens with the first sample', { timeout: 120_000 }, async (t) => {
  const { page, problems } = await open(t);
  await control(page, 'Load image').setInputFiles(PHOTO);
  await page.locator('.source-line', { hasText: 'alpha_rgba.png' }).waitFor();
  await control(page, 'Stride').selectOption('3');
  const link = await copyLink(page);
  assert.match(await page.locator('.copy-link').textContent(), /Your own picture is not in the link: it opens with the sample Cat\./);
  assert.match(link, /sample=own/);
  assert.ok(!link.includes('alpha'), 'nothing of the picture');
  const { page: opened, problems: openedProblems } = await open(t, link);
  await opened.locator('.source-line', { hasText: 'chelsea.jpg' }).waitFor();
  assert.equal(await control(opened, 'Stride').inputValue(), '3', 'the rest of the link applies');
  assert.match(await opened.locator('.link-notices').textContent(), /sample: this link was made with the sender's own picture/);
  await button(opened, 'Dismiss link notices').click();
  assert.equal(await opened.locator('.link-notices').count(), 0);
  assert.deepEqual(problems, []);
  assert.deepEqual(openedProblems, []);
});

/** Checks the page after opening a stranger's link: it computes, names each refused field
 * in a notice made of plain text, and ran nothing. */
async function assertRefused(page, problems, refused, what) {
  await waitIdle(page);
  const notices = await page.locator('.link-notices li').allTextContents();
  if (refused.length === 0) {
    assert.equal(notices.length, 0, `${what}: ${notices}`);
  }
  for (const field of refused) {
    const prefix = `${field === '' ? '(a field with no name)' : field}: `;
    assert.ok(notices.some((n) => n.startsWith(prefix)), `${what}: no notice names ${JSON.stringify(field)} in ${JSON.stringify(notices)}`);
  }
  const foreign = await page.evaluate(() => ({
    elements: [...document.querySelectorAll('.link-notices *')].map((e) => e.tagName).filter((tag) => !['H2', 'P', 'UL', 'LI', 'BUTTON'].includes(tag)),
    scripts: [...document.scripts].filter((s) => /alert|evil/.test(s.src + s.textContent)).length,
    handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
  }));
  assert.deepEqual(foreign, { elements: [], scripts: 0, handlers: 0 }, what);
  assert.deepEqual(problems, [], what);
}

test(`a corpus of ${CORPUS.length} hostile links: each refused field named, the rest applied, nothing run or injected`, { timeout: 300_000 }, async (t) => {
  assert.ok(CORPUS.length >= 30);
  const context = await newContext(t);
  const page = await context.newPage();
  let problems = collectProblems(page);
  page.on('dialog', (dialog) => {
    problems.push(`a dialog opened: ${dialog.message()}`);
    dialog.dismiss();
  });
  for (const { link, refused, applies } of CORPUS) {
    problems.length = 0;
    await page.goto(new URL(link, server.url).href);
    await assertRefused(page, problems, [...new Set(refused)], link);
    if (applies.length > 0) {
      await page.waitForTimeout(SETTLED_MS);
      const written = new URL(page.url()).searchParams;
      for (const [key, value] of applies) assert.equal(written.get(key), value, `${link}: ${key}`);
    }
  }
});

test('links too large for any lesson are refused quickly: a 1.5 MB value, 60,000 fields', { timeout: 120_000 }, async (t) => {
  const huge = `?size=${'9'.repeat(1_500_000)}&stride=2`;
  const many = `?stride=3&${Array.from({ length: 60_000 }, (_, i) => `x${i}=1`).join('&')}`;
  for (const [link, field, check] of [[huge, 'size', ['Stride', '2']], [many, 'x0', ['Stride', '3']]]) {
    const started = Date.now();
    const { page, problems } = await open(t, new URL(link, server.url).href);
    await assertRefused(page, problems, [field], `${link.length} characters`);
    assert.equal(await control(page, check[0]).inputValue(), check[1], 'the rest applies');
    assert.ok(Date.now() - started < 30_000, 'no hang');
  }
});
