/**
 * parquet-wasm, compiled once. The arrow engine's main thread compiles the
 * 5 MB module and hands it to every worker (a WebAssembly.Module crosses
 * threads without recompiling), instead of each worker compiling its own copy
 * at import time: less start-up CPU and less memory per worker.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initSync } from 'parquet-wasm/esm';

export { ParquetFile } from 'parquet-wasm/esm';

/** A compiled WebAssembly.Module (typed loosely: the project's lib settings carry no WebAssembly types). */
export type WasmModule = object;
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: new (bytes: Uint8Array) => WasmModule;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const WASM_PATH = fileURLToPath(import.meta.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm'));
let initialised = false;

/** Compile the module off the main thread's critical path (V8 compiles in the background). */
export function compileParquetWasm(): Promise<WasmModule> {
  return wasmApi.compile(readFileSync(WASM_PATH));
}

/** Instantiate parquet-wasm in this thread, from a module compiled elsewhere or compiled here. */
export function initParquetWasm(module?: WasmModule): void {
  if (initialised) return;
  initSync({ module: (module ?? new wasmApi.Module(readFileSync(WASM_PATH))) as never });
  initialised = true;
}
