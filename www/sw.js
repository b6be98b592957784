// ConvLab's service worker: after one visit the app works with the network gone.
//
// scripts/trunk-post-build.sh writes this file into a release build, filling in the build's
// files and a version made from their checksums (a development build has no service worker,
// so `trunk serve`'s live reload always gets fresh files).
//
// - install: every file of the build goes into a cache named after the version, fetched
//   past the browser's HTTP cache; the new worker then waits until no page of the old
//   version is open, so an open page never gets files of another version.
// - activate: the caches of other versions are deleted; pages opened before the worker
//   existed are taken over, so the first visit already works offline afterwards.
// - fetch: the build's own files come from this version's cache; anything else goes to
//   the network as usual. Paths are relative to this file, so the app works from any
//   folder of any static server.
const VERSION = '__CONVLAB_VERSION__';
const FILES = ['__CONVLAB_FILES__'];
const CACHE = `convlab-${VERSION}`;
const scope = new URL('./', self.location).href;
const urls = new Set(FILES.map((file) => new URL(file, scope).href));
urls.add(scope);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll([...urls].map((url) => new Request(url, { cache: 'reload' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('convlab-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  url.search = '';
  url.hash = '';
  const key = url.href === new URL('index.html', scope).href ? scope : url.href;
  if (event.request.method !== 'GET' || !urls.has(key)) return;
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(key)).then((cached) => cached ?? fetch(event.request)),
  );
});
