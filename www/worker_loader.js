// Starts ConvLab's training worker: loads the wasm-bindgen glue Trunk built for a worker
// binary, then its wasm module, both from this script's folder.
//
// Two builds of the same worker exist. `worker_relaxed` multiplies and adds in one
// instruction (relaxed SIMD's f32x4.relaxed_madd) and trains faster; `worker` uses plain
// 128-bit SIMD, for browsers without relaxed SIMD (Safari). The choice is made here by
// asking the engine to validate a five-instruction module that uses relaxed_madd.
//
// The page may post requests before the wasm module has started and set its own message
// handler: they are held here and handed over once it has, so none is lost. A failure to
// start is re-thrown outside the promise so that the page's Worker gets an `error` event
// and can say that training is unavailable.
const early = [];
self.onmessage = (event) => early.push(event);

// (module (func (param v128 v128 v128) (result v128)
//   local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const RELAXED_MADD_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);
const build = WebAssembly.validate(RELAXED_MADD_MODULE) ? 'worker_relaxed' : 'worker';

importScripts(`./${build}.js`);
wasm_bindgen({ module_or_path: `./${build}_bg.wasm` })
  .then(() => {
    for (const event of early) self.onmessage(event);
  })
  .catch((error) => {
    setTimeout(() => {
      throw error;
    });
  });
