// The worker thread that runs the WebAssembly core for the async functions of the koffi backend, so that
// parsing thousands of files does not hold the host's event loop (client.ts starts it; one per process).
import { parentPort } from 'node:worker_threads';
import { SysprobeError } from '../../errors.js';
import {
  wasmDecodeReparse,
  wasmProbeLibcRoot,
  wasmProcLimits,
  wasmProcessEnv,
  wasmReadElf,
  wasmReadElfBatch,
  wasmReadGoBuildInfo,
  wasmReadInRoot,
  wasmReadLdSoCache,
  wasmResolveDeps,
  wasmScanLibcFile,
} from './core.js';
import type { WasmErrorFacts, WasmRequest } from './client.js';
import type { ElfSymbolsWanted } from '../binding.js';

function facts(error: unknown): WasmErrorFacts {
  if (error instanceof SysprobeError) return error.toJSON();
  return new SysprobeError({
    code: 'ERR_SYSPROBE_WASM',
    message: `the WebAssembly worker failed: ${(error as Error)?.message ?? String(error)}`,
  }).toJSON();
}

const calls: Record<WasmRequest['name'], (...args: never[]) => unknown> = {
  readElf: wasmReadElf,
  readElfBatch: (paths: Array<string | Buffer>, symbols: ElfSymbolsWanted, crossCheck: boolean) =>
    wasmReadElfBatch(paths, symbols, crossCheck).map((outcome) => (typeof outcome === 'string' ? outcome : { error: facts(outcome) })),
  readLdSoCache: wasmReadLdSoCache,
  resolveDeps: wasmResolveDeps,
  readInRoot: wasmReadInRoot,
  decodeReparse: wasmDecodeReparse,
  processEnv: wasmProcessEnv,
  procLimits: wasmProcLimits,
  probeLibcRoot: wasmProbeLibcRoot,
  scanLibcFile: wasmScanLibcFile,
  readGoBuildInfo: wasmReadGoBuildInfo,
};

parentPort!.on('message', (request: WasmRequest) => {
  try {
    parentPort!.postMessage({ id: request.id, ok: calls[request.name](...(request.args as never[])) });
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: facts(error) });
  }
});
