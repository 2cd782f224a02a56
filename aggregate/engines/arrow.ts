/**
 * The "write it ourselves" engine: pure TypeScript over parquet-wasm. The main
 * thread lists the files (partition values from the folder names, pruning
 * folders a --where rules out), splits each file into row-group shares, and
 * hands the shares to worker threads (one per core) as they free up; each
 * worker folds its rows into exact per-group totals, merged here.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError, UsageError } from '../../shared/errors.ts';
import type { AggregateEngine, EngineOptions } from '../engine.ts';
import { GroupMerger, type GroupTotals } from '../groups.ts';
import { openLocalSource, type LakeFile, partitionsMatch } from '../lake.ts';
import type { AggregateQuery } from '../query.ts';
import type { ScanTask } from './arrow-scan.ts';
import type { FromWorker, ToWorker } from './arrow-worker.ts';
import { siblingModule } from '../../shared/module-url.ts';

export const arrowEngine: AggregateEngine = {
  name: 'arrow',
  async aggregate(source, queries, opts = {}) {
    const src = openLocalSource(source);
    if (src.kind === 'csv') {
      throw new UsageError(
        `the arrow engine reads Parquet only; ${source} is CSV (use --engine duckdb, or to-parquet first)`,
        {
          file: source,
        },
      );
    }
    const files = src.files.filter((f) => queries.some((q) => partitionsMatch(f.partitions, q.where)));
    const workers = Math.max(0, Math.min(opts.workers ?? availableParallelism(), 8));
    const tasks = planTasks(files, Math.max(1, workers));
    if (tasks.length === 0) return queries.map(() => []);
    if (workers === 0) return scanInThread(queries, tasks, opts);
    return scanInWorkers(queries, tasks, Math.min(workers, tasks.length), opts);
  },
};

/** Enough shares (~4 per worker) that both cores stay busy to the end even with few, large files. */
export function planTasks(files: readonly LakeFile[], workers: number): ScanTask[] {
  if (files.length === 0) return [];
  const shards = Math.min(8, Math.max(1, Math.ceil((4 * workers) / files.length)));
  const tasks: ScanTask[] = [];
  for (let shard = 0; shard < shards; shard++) {
    for (const f of files) tasks.push({ path: f.path, partitions: f.partitions, shard, shards });
  }
  return tasks;
}

async function scanInThread(queries: readonly AggregateQuery[], tasks: ScanTask[], opts: EngineOptions) {
  // Loaded here only: with workers, parquet-wasm lives in the workers and the main thread stays small.
  const { Scanner } = await import('./arrow-scan.ts');
  const scanner = new Scanner(queries);
  let done = 0;
  for (const t of tasks) {
    await scanner.scan(t);
    opts.onProgress?.(++done, tasks.length);
  }
  return scanner.results();
}

async function scanInWorkers(
  queries: readonly AggregateQuery[],
  tasks: ScanTask[],
  count: number,
  opts: EngineOptions,
): Promise<GroupTotals[][]> {
  const { compileParquetWasm } = await import('../../shared/parquet-wasm.ts');
  const wasmModule = await compileParquetWasm();
  const mergers = queries.map(() => new GroupMerger());
  const pool: Worker[] = [];
  let next = 0;
  let done = 0;
  let finished = 0;
  return new Promise<GroupTotals[][]>((resolve, reject) => {
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(err);
    };
    const feed = (w: Worker) => {
      const msg: ToWorker = next < tasks.length ? { type: 'task', task: tasks[next++] } : { type: 'finish' };
      w.postMessage(msg);
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(siblingModule('./arrow-worker.ts', import.meta.url), {
        workerData: { queries, wasmModule },
      });
      pool.push(w);
      let delivered = false;
      w.on('error', (err) => fail(err));
      // A worker that dies without an error event (killed, out of memory) must not leave us waiting forever.
      w.on('exit', (code) => {
        if (!delivered) fail(new Error(`arrow engine worker exited (code ${code}) before returning its totals`));
      });
      w.on('message', (m: FromWorker) => {
        if (failed) return;
        if (m.type === 'error') {
          fail(m.typed ? new InputError(m.message, m.context) : new Error(m.message));
        } else if (m.type === 'done') {
          opts.onProgress?.(++done, tasks.length);
          feed(w);
        } else {
          delivered = true;
          m.results.forEach((groups, qi) => {
            for (const g of groups) mergers[qi].add(g);
          });
          void w.terminate();
          if (++finished === count) resolve(mergers.map((m) => m.result()));
        }
      });
      feed(w);
    }
  });
}
