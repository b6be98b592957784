// Offline and locked down (issue 11): after one visit a release build works with the network
// gone (its service worker, sw.js), a new deployment replaces the old files on the next
// visit, no request ever leaves the page's origin, and the Content-Security-Policy allows
// only the page's own files and WebAssembly. A debug build (`trunk serve`) has neither a
// service worker nor the policy, so these tests skip on it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, launch, collectProblems } from './harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.CONVLAB_DIST ?? join(HERE, '..', '..', 'dist'));
const RELEASE = existsSync(join(DIST, 'sw.js'));
const SKIP = RELEASE ? false : 'a debug build has no service worker and no Content-Security-Policy';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Polls `predicate` (which may be async) in the page until it holds. (waitForFunction
 * would take an async predicate's promise itself as true.) */
async function until(page, predicate, what, timeout = 30_000) {
  const end = Date.now() + timeout;
  while (!(await page.evaluate(predicate))) {
    assert.ok(Date.now() < end, `timed out waiting until ${what}`);
    await page.waitForTimeout(200);
  }
}

/** Waits until a service worker controls the page and has finished activating. */
async function controlled(page) {
  await page.waitForFunction(
    () => navigator.serviceWorker.controller !== null && navigator.serviceWorker.controller.state === 'activated',
    null,
    { timeout: 30_000 },
  );
}

const canvasesDrawn = (page) =>
  page.waitForFunction(
    () => {
      const maps = [...document.querySelectorAll('figure.stage canvas.map')];
      return maps.length >= 3 && maps.every((c) => c.width > 0);
    },
    null,
    { timeout: 30_000 },
  );

test('after one visit the app works offline: the explorer, a fetched sample, and training on the shipped digits', { skip: SKIP, timeout: 120_000 }, async (t) => {
  const server = await serve(DIST);
  t.after(() => server.close());
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = collectProblems(page);
  await page.goto(server.url);
  await canvasesDrawn(page);
  await controlled(page);

  await context.setOffline(true);
  await page.reload();
  await canvasesDrawn(page);
  await page.getByLabel('Kernel row 2 column 2', { exact: true }).fill('4');
  await page.waitForFunction(() => /Sum of weights: [−-]4\b/.test(document.querySelector('.kernel-sum')?.textContent ?? ''));
  // A sample that is not compiled in comes from the service worker's cache.
  await page.getByRole('button', { name: 'Sample: Camera', exact: true }).click();
  await page.waitForFunction(() => /“camera\.png”/.test(document.querySelector('p.source-line')?.textContent ?? ''));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => /Test accuracy [1-9]\d?(\.\d)? %/.test(document.body.textContent), null, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  assert.deepEqual(problems, []);
});

test('no request leaves the page\'s origin, and the policy blocks an injected script', { skip: SKIP, timeout: 120_000 }, async (t) => {
  const server = await serve(DIST);
  t.after(() => server.close());
  const context = await browser.newContext();
  t.after(() => context.close());
  const requests = [];
  context.on('request', (request) => requests.push(request.url()));
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  const problems = collectProblems(page);
  await page.goto(`${server.url}?presenter`);
  await canvasesDrawn(page);
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(policy, /default-src 'self'/);
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'(;|$)/, 'no inline script is trusted');
  assert.equal(await page.locator('script:not([src])').count(), 0, 'the page has no inline script');

  // The page at work: a sample, an RGB layer, the camera-free explorer, training, a download.
  await page.getByRole('button', { name: 'Sample: Coffee', exact: true }).click();
  await page.getByLabel('Channels', { exact: true }).selectOption('RGB');
  await page.getByLabel('Step through', { exact: true }).check();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => /Test accuracy [1-9]/.test(document.body.textContent), null, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Input .npy', exact: true }).click()]);
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'nothing the page does is blocked');

  // Markup that got in somehow cannot run script.
  const ran = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true';
    document.body.append(script);
    await new Promise((r) => setTimeout(r, 100));
    return window.__injected === true;
  });
  assert.equal(ran, false, 'an injected inline script must not run');
  assert.match((await page.evaluate(() => window.__violations)).join('\n'), /script-src/);

  const origin = new URL(server.url).origin;
  const outside = requests.filter((url) => !url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:'));
  assert.deepEqual(outside, [], 'every request goes to the page\'s own origin');
  assert.ok(requests.some((url) => url.endsWith('mnist/digits.png')), 'the digits came from the origin');
  // The injected script's violation is reported on the console, as browsers do; nothing else.
  assert.deepEqual(problems.filter((p) => !/Content Security Policy/.test(p)), []);
});

test('a new deployment replaces the old files on the next visit, without mixing versions', { skip: SKIP, timeout: 120_000 }, async (t) => {
  // A copy of the build served from a folder, as a school's static server would.
  const root = mkdtempSync(join(tmpdir(), 'convlab-deploy-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  cpSync(DIST, join(root, 'convlab'), { recursive: true });
  const server = await serve(root);
  t.after(() => server.close());
  const url = `${server.url}convlab/`;
  const context = await browser.newContext();
  t.after(() => context.close());
  let page = await context.newPage();
  await page.goto(url);
  await canvasesDrawn(page);
  await controlled(page);
  const firstCaches = await page.evaluate(() => caches.keys());
  assert.equal(firstCaches.length, 1);

  // Deploy "version 2": another page title, and a service worker of another version.
  const dir = join(root, 'convlab');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  writeFileSync(join(dir, 'index.html'), html.replace('<title>ConvLab', '<title>ConvLab 2'));
  const sw = readFileSync(join(dir, 'sw.js'), 'utf8');
  writeFileSync(join(dir, 'sw.js'), sw.replace(/const VERSION = '(\d+)'/, "const VERSION = '$1-2'"));

  // The open page keeps its version while the new one installs beside it...
  await page.reload();
  await canvasesDrawn(page);
  assert.doesNotMatch(await page.title(), /ConvLab 2/, 'a page of version 1 is served version 1 alone');
  await until(page, async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting), 'version 2 is installed and waiting');
  await page.close();
  // ...and the next visit, once no page of version 1 is open, is version 2 throughout.
  page = await context.newPage();
  await page.goto(url);
  await canvasesDrawn(page);
  await until(
    page,
    async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return (
        registration?.active?.state === 'activated' &&
        !registration.waiting &&
        !registration.installing &&
        navigator.serviceWorker.controller !== null &&
        (await caches.keys()).length === 1
      );
    },
    'version 2 is active alone',
  );
  await page.reload();
  await canvasesDrawn(page);
  assert.match(await page.title(), /ConvLab 2/);
  const caches = await page.evaluate(() => caches.keys());
  assert.equal(caches.length, 1, `one cache, the new one: ${caches}`);
  assert.notEqual(caches[0], firstCaches[0]);
});
