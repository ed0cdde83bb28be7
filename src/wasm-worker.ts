// The worker thread that runs the WebAssembly core for the async functions of the koffi backend, so that
// parsing thousands of files does not hold the host's event loop (src/wasm.ts starts it; one per process).
import { parentPort } from 'node:worker_threads';
import { SysprobeError } from './errors.js';
import { wasmDecodeReparse, wasmProcLimits, wasmProcessEnv, wasmReadElf, wasmReadLdSoCache, wasmResolveDeps } from './wasm.js';
import type { WasmErrorFacts, WasmRequest } from './wasm.js';

function facts(error: unknown): WasmErrorFacts {
  const e = error as SysprobeError;
  return {
    code: e.code, errno: e.errno, syscall: e.syscall, path: e.path, offset: e.offset, details: e.details,
    message: error instanceof Error ? error.message : String(error),
  };
}

const calls: Record<WasmRequest['name'], (...args: never[]) => unknown> = {
  readElf: wasmReadElf,
  // Per-file outcomes, as the addon's readElfBatch: a failed file is its error, a broken core fails all.
  readElfBatch: (paths: string[], symbols: boolean, crossCheck: boolean) => paths.map((path) => {
    try {
      return wasmReadElf(path, symbols, crossCheck);
    } catch (error) {
      if (error instanceof SysprobeError && error.code === 'ERR_SYSPROBE_WASM') throw error;
      return { error: facts(error) };
    }
  }),
  readLdSoCache: wasmReadLdSoCache,
  resolveDeps: wasmResolveDeps,
  decodeReparse: wasmDecodeReparse,
  processEnv: wasmProcessEnv,
  procLimits: wasmProcLimits,
};

parentPort!.on('message', (request: WasmRequest) => {
  try {
    parentPort!.postMessage({ id: request.id, ok: calls[request.name](...(request.args as never[])) });
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: facts(error) });
  }
});
