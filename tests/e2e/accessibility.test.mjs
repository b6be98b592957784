// Accessibility checked by a real checker: axe-core (npm axe-core) runs in the built page,
// in headless Chromium, on every state the page has today — the first screen with the
// digits loaded, live training running, the explorer with other choices (no activation,
// average pooling, a 7 × 7 kernel), and a 360 px phone width — and must find no violation
// of WCAG 2.1 A or AA. Run: node --test accessibility.test.mjs (CONVLAB_DIST = a built dist/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, collectProblems } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.CONVLAB_DIST ?? join(HERE, '..', '..', 'dist'));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let server;
let browser;
before(async () => {
  server = await serve(DIST);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(t, viewport = { width: 1400, height: 1000 }, url = server.url) {
  // axe is injected as an inline script, which the page's policy rightly refuses: the tool
  // is let past it (offline.test.mjs tests the policy itself).
  const context = await browser.newContext({ viewport, bypassCSP: true });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = collectProblems(page);
  await page.goto(url);
  await page.waitForSelector('canvas.map');
  // The digits are in and the untrained network has been scored.
  await page.waitForFunction(
    () => /Test accuracy/.test(document.querySelector('.training-status')?.textContent ?? ''),
    null,
    { timeout: 60_000 },
  );
  return { page, problems };
}

/** The WCAG 2.1 A/AA violations axe finds in the page as it is, in words. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(
    async (tags) => (await window.axe.run(document, { runOnly: { type: 'tag', values: tags } })).violations,
    TAGS,
  );
  return found.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

/** Clicks Train and waits until the status reports a training speed. */
async function startTraining(page) {
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(
    () => /samples\/s/.test(document.querySelector('.training-status')?.textContent ?? ''),
    null,
    { timeout: 30_000 },
  );
}

test('axe finds no WCAG 2.1 A/AA violation on the first screen', { timeout: 120_000 }, async (t) => {
  const { page, problems } = await openPage(t);
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(problems, []);
});

test('axe finds none while training runs, with its curves, maps and confusion matrix', { timeout: 120_000 }, async (t) => {
  const { page, problems } = await openPage(t);
  await startTraining(page);
  // Wait for a scored evaluation, so the confusion matrix has shaded cells.
  await page.waitForTimeout(3000);
  assert.deepEqual(await violations(page), []);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  assert.deepEqual(problems, []);
});

test('axe finds none with other explorer choices, and none at 360 px wide', { timeout: 120_000 }, async (t) => {
  const { page, problems } = await openPage(t);
  await page.getByLabel('Kernel size', { exact: true }).selectOption('7');
  await page.getByLabel('Activation', { exact: true }).selectOption('None');
  await page.getByLabel('Pooling', { exact: true }).selectOption('Average');
  await page.getByLabel('Bias', { exact: true }).fill('abc');
  await page.waitForTimeout(500);
  assert.deepEqual(await violations(page), []);
  const phone = await openPage(t, { width: 360, height: 740 });
  assert.deepEqual(await violations(phone.page), []);
  assert.deepEqual([...problems, ...phone.problems], []);
});

test('axe finds none with a deep layer: RGB, 8 filters, a scale per map, a bad cell', { timeout: 120_000 }, async (t) => {
  const { page, problems } = await openPage(t);
  await page.getByLabel('Channels', { exact: true }).selectOption('RGB');
  await page.getByLabel('Filters', { exact: true }).selectOption('8');
  await page.getByLabel('Color scale', { exact: true }).selectOption('Each map its own');
  await page.getByLabel('Filter 3 green row 2 column 2', { exact: true }).fill('abc');
  await page.getByLabel('Filter 5 bias', { exact: true }).fill('');
  await page.waitForTimeout(500);
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(problems, []);
});

test('axe finds none in a step-through, paused and playing', { timeout: 120_000 }, async (t) => {
  const { page, problems } = await openPage(t);
  await page.getByLabel('Working size', { exact: true }).selectOption('28');
  await page.getByLabel('Step through', { exact: true }).check();
  await page.getByRole('button', { name: 'Next step', exact: true }).click();
  await page.waitForTimeout(300);
  assert.deepEqual(await violations(page), []);
  await page.getByRole('button', { name: 'Play steps', exact: true }).click();
  await page.waitForTimeout(300);
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(problems, []);
});

/** Whatever on the page is wider than the viewport, and every visible control (its label,
 * for a checkbox inside one) smaller than 44 × 44 CSS pixels. */
async function phoneProblems(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // The confusion matrix scrolls inside its own box: its cells may lie beyond the screen.
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => !el.parentElement.closest('.confusion-scroll'))
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    const small = [...document.querySelectorAll('button, select, input, a[href]')]
      .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
      .filter((el) => !(el.type === 'file'))
      .map((el) => (el.type === 'checkbox' && el.closest('label')) || el)
      .filter((el) => {
        const b = el.getBoundingClientRect();
        return b.width < 44 || b.height < 44;
      })
      .map((el) => `${el.getAttribute('aria-label') ?? el.textContent.trim()} ${Math.round(el.getBoundingClientRect().width)}×${Math.round(el.getBoundingClientRect().height)}`);
    return { scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10), small: small.slice(0, 20) };
  });
}

test('on a 360 px phone nothing scrolls sideways and every control is a 44 px touch target', { timeout: 180_000 }, async (t) => {
  const { page, problems } = await openPage(t, { width: 360, height: 740 });
  const first = await phoneProblems(page);
  assert.deepEqual([first.scrollWidth, first.wide, first.small], [360, [], []]);
  // Training runs (curves, maps and the confusion matrix fill in), and a deep layer over RGB.
  await startTraining(page);
  await page.waitForTimeout(4000);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByLabel('Channels', { exact: true }).selectOption('RGB');
  await page.getByLabel('Filters', { exact: true }).selectOption('3');
  await page.waitForTimeout(500);
  const later = await phoneProblems(page);
  assert.deepEqual([later.scrollWidth, later.wide, later.small], [360, [], []]);
  assert.deepEqual(await violations(page), []);
  // 7 × 7 kernels over RGB, and a step-through: still no sideways scroll, still 44 px.
  await page.getByLabel('Kernel size', { exact: true }).selectOption('7');
  await page.getByLabel('Step through', { exact: true }).check();
  await page.getByRole('button', { name: 'Next step', exact: true }).click();
  await page.waitForTimeout(500);
  const stepping = await phoneProblems(page);
  assert.deepEqual([stepping.scrollWidth, stepping.wide, stepping.small], [360, [], []]);
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(problems, []);
});

test('axe finds none with a link\'s notices and a copied link, and at 360 px they fit with 44 px targets', { timeout: 120_000 }, async (t) => {
  const link = `${server.url}?stride=7&f1=%3Cb%3Ebold%3C/b%3E&sample=own&${'x'.repeat(60)}=1`;
  for (const viewport of [{ width: 1400, height: 1000 }, { width: 360, height: 740 }]) {
    const { page, problems } = await openPage(t, viewport, link);
    assert.equal(await page.locator('.link-notices li').count(), 4);
    await page.getByRole('button', { name: 'Copy link', exact: true }).click();
    await page.locator('#lesson-link').waitFor();
    assert.deepEqual(await violations(page), [], `${viewport.width} px`);
    if (viewport.width === 360) {
      const phone = await phoneProblems(page);
      assert.deepEqual([phone.scrollWidth, phone.wide, phone.small], [360, [], []]);
    }
    assert.deepEqual(problems, []);
  }
});

/** What sticks out: the page wider than the window, any element poking out of its panel or
 * stage (the confusion matrix's own scroll box aside), stage titles that overlap their
 * shapes. */
async function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) problems.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
    for (const box of document.querySelectorAll('.panel, figure.stage')) {
      const outer = box.getBoundingClientRect();
      for (const el of box.querySelectorAll('*')) {
        if (el.closest('.confusion-scroll') || el.getClientRects().length === 0) continue;
        const r = el.getBoundingClientRect();
        if (r.right > outer.right + 1 || r.left < outer.left - 1) {
          problems.push(`${el.tagName.toLowerCase()}.${el.className} sticks out of ${box.className}`);
        }
      }
    }
    for (const figure of document.querySelectorAll('figure.stage')) {
      const a = figure.querySelector('h3').getBoundingClientRect();
      const b = figure.querySelector('.shape').getBoundingClientRect();
      const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      if (overlap) problems.push(`${figure.dataset.stage}: title overlaps its shape`);
    }
    return problems.slice(0, 10);
  });
}

test('presenter mode: larger type, hints tucked away, nothing overlapping at 1280 × 720 and 1920 × 1080', { timeout: 180_000 }, async (t) => {
  for (const viewport of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) {
    const context = await browser.newContext({ viewport, bypassCSP: true });
    t.after(() => context.close());
    const page = await context.newPage();
    const problems = collectProblems(page);
    await page.goto(`${server.url}?presenter`);
    await page.waitForSelector('canvas.map');
    const toggle = page.getByRole('button', { name: 'Presenter mode', exact: true });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true', 'the address turns it on');
    const look = () => page.evaluate(() => ({
      root: getComputedStyle(document.documentElement).fontSize,
      hintsShown: [...document.querySelectorAll('.hint')].filter((h) => h.getClientRects().length > 0).length,
    }));
    assert.deepEqual(await look(), { root: '20px', hintsShown: 0 });
    // A deep layer with a 7 × 7 kernel, the widest probe there is.
    await page.getByLabel('Channels', { exact: true }).selectOption('RGB');
    await page.getByLabel('Filters', { exact: true }).selectOption('3');
    await page.getByLabel('Kernel size', { exact: true }).selectOption('7');
    await page.waitForTimeout(500);
    assert.deepEqual(await layoutProblems(page), [], `${viewport.width} × ${viewport.height}`);
    assert.deepEqual(await violations(page), []);
    // A step-through's large arithmetic, for the back row, fits too.
    await page.getByLabel('Step through', { exact: true }).check();
    await page.getByRole('button', { name: 'Next step', exact: true }).click();
    await page.waitForTimeout(300);
    assert.deepEqual(await layoutProblems(page), [], `stepping at ${viewport.width} × ${viewport.height}`);
    await page.getByLabel('Step through', { exact: true }).uncheck();
    // Off again: the type and the hints come back, and the address loses the flag.
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    assert.equal((await look()).root, '16px');
    assert.ok((await look()).hintsShown > 0);
    assert.equal(new URL(page.url()).searchParams.has('presenter'), false);
    await toggle.click();
    assert.equal(new URL(page.url()).searchParams.has('presenter'), true);
    assert.deepEqual(problems, []);
  }
});

test('a tablet in both orientations: nothing sticks out, training runs, axe finds nothing', { timeout: 180_000 }, async (t) => {
  for (const viewport of [{ width: 768, height: 1024 }, { width: 1024, height: 768 }]) {
    const { page, problems } = await openPage(t, viewport);
    await page.getByLabel('Channels', { exact: true }).selectOption('RGB');
    await page.getByLabel('Filters', { exact: true }).selectOption('4');
    await startTraining(page);
    await page.waitForTimeout(2000);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    assert.deepEqual(await layoutProblems(page), [], `${viewport.width} × ${viewport.height}`);
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(problems, []);
  }
});
