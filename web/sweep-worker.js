// The playground's sweeps run here, in a web worker, so that the page
// stays responsive while thousands of seeds run: the worker loads the same
// eccounter.wasm as the page, beside it, and asks for nothing else.
//
// The page sends {type: "sweep", name, toml, first, last} (the seeds as
// decimal strings) and {type: "stop"}; the worker answers with
// {type: "ready"} once loaded, {type: "progress", done, failed, total}
// after every chunk of seeds, and {type: "done", result} (the object
// eccounter.sweep resolves to) or {type: "failed", message}.
"use strict";
importScripts("wasm_exec.js");

let stop = false;
let busy = false;
const loaded = new Promise((resolve, reject) => {
  globalThis.eccounterReady = resolve;
  const go = new Go();
  // As the page loads it: streaming if the host serves the right type.
  fetch("eccounter.wasm").then(async res => {
    if (!res.ok) throw new Error("eccounter.wasm: " + res.status + " " + res.statusText);
    if ((res.headers.get("Content-Type") || "").startsWith("application/wasm")) {
      return WebAssembly.instantiateStreaming(res, go.importObject);
    }
    return WebAssembly.instantiate(await res.arrayBuffer(), go.importObject);
  }).then(r => { go.run(r.instance); }).catch(reject);
});
loaded.then(() => postMessage({type: "ready"}),
  e => postMessage({type: "failed", message: "the simulator did not load in the worker: " + e}));

onmessage = async ev => {
  const m = ev.data;
  if (m.type === "stop") {
    stop = true;
    return;
  }
  if (m.type !== "sweep" || busy) return;
  busy = true;
  stop = false;
  try {
    await loaded;
    // progress runs between chunks, after the worker has had its
    // messages: a stop asked for since the last chunk ends the sweep.
    const result = await eccounter.sweep(m.name, m.toml, m.first, m.last, (done, failed, total) => {
      postMessage({type: "progress", done, failed, total});
      return !stop;
    });
    postMessage({type: "done", result});
  } catch (e) {
    postMessage({type: "failed", message: String(e)});
  } finally {
    busy = false;
  }
};
