// The core's calls on a worker thread (worker.ts), for the async functions of the koffi backend, so the
// host's event loop stays free.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SysprobeError } from '../../errors.js';

export interface WasmRequest {
  id: number;
  name:
    | 'readElf'
    | 'readElfBatch'
    | 'readLdSoCache'
    | 'resolveDeps'
    | 'readInRoot'
    | 'decodeReparse'
    | 'processEnv'
    | 'procLimits'
    | 'probeLibcRoot'
    | 'scanLibcFile'
    | 'readGoBuildInfo';
  args: unknown[];
}

/** A SysprobeError as it crosses threads: its toJSON(). */
export type WasmErrorFacts = ReturnType<SysprobeError['toJSON']>;

/** The error again: an errno error is worded from its facts (as it was), any other keeps its message. */
export function errorFromFacts(facts: WasmErrorFacts): SysprobeError {
  const { name: _name, message, ...rest } = facts as Record<string, unknown>;
  return new SysprobeError({ ...rest, ...(rest.errno === undefined ? { message } : {}) } as ConstructorParameters<typeof SysprobeError>[0]);
}

let worker: Worker | null = null;
let workerFailed = false;
let nextId = 1;
const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();

function failAll(error: SysprobeError): void {
  for (const call of pending.values()) call.reject(error);
  pending.clear();
}

function startWorker(): Worker | null {
  if (worker !== null || workerFailed) return worker;
  try {
    const started = new Worker(join(__dirname, 'worker.js'));
    started.unref(); // an idle worker never keeps the host alive
    started.on('message', (reply: { id: number; ok?: unknown; error?: WasmErrorFacts }) => {
      const call = pending.get(reply.id);
      if (call === undefined) return;
      pending.delete(reply.id);
      if (pending.size === 0) started.unref();
      if (reply.error !== undefined) call.reject(errorFromFacts(reply.error));
      else call.resolve(reply.ok);
    });
    const gone = (why: string) => {
      if (worker === started) worker = null;
      failAll(
        new SysprobeError({ code: 'ERR_SYSPROBE_WASM', message: `the WebAssembly worker stopped: ${why}`, details: { backend: 'koffi' } }),
      );
    };
    started.on('error', (error) => gone(error.message));
    started.on('exit', (code) => gone(`exit code ${code}`));
    worker = started;
  } catch {
    // Workers not allowed (the permission model without --allow-worker): the main thread runs the calls.
    workerFailed = true;
  }
  return worker;
}

/**
 * One call of the core on the worker thread; null when no worker can start (the caller runs it here).
 * Uint8Array inputs are copied to the worker (structured clone).
 */
export function wasmOnWorker<T>(name: WasmRequest['name'], args: unknown[]): Promise<T> | null {
  const target = startWorker();
  if (target === null) return null;
  return new Promise<T>((resolvePromise, reject) => {
    const id = nextId++;
    pending.set(id, { resolve: resolvePromise as (value: unknown) => void, reject });
    target.ref();
    target.postMessage({ id, name, args } satisfies WasmRequest);
  });
}
