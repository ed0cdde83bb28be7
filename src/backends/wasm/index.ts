// The core as WebAssembly, for the koffi backend: the module's calls (core.ts), the same on a worker
// thread (client.ts), and what the host adds beyond WASI (host.ts).
export * from './core.js';
export * from './client.js';
export { setWasmHostCalls, type WasmHostCalls } from './host.js';
export { WASM_PATH } from './wasi-abi.js';
