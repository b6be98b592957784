// Starts ConvLab's training worker: loads the wasm-bindgen glue Trunk built for the
// `worker` binary, then its wasm module, both from this script's folder.
//
// The page may post requests before the wasm module has started and set its own message
// handler: they are held here and handed over once it has, so none is lost. A failure to
// start is re-thrown outside the promise so that the page's Worker gets an `error` event
// and can say that training is unavailable.
const early = [];
self.onmessage = (event) => early.push(event);
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' })
  .then(() => {
    for (const event of early) self.onmessage(event);
  })
  .catch((error) => {
    setTimeout(() => {
      throw error;
    });
  });
