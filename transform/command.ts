/** `salesflow to-parquet`: flags → convertToParquet, with a progress bar and a summary line. */
import type { CommandModule } from 'yargs';
import { EXIT_PARTIAL } from '../shared/errors.ts';
import { formatBytes, formatCount, formatDuration } from '../shared/format.ts';
import { numberOption } from '../shared/number-flag.ts';
import { printSummary, showProgress } from '../shared/command-output.ts';
import { createProgress } from '../shared/progress.ts';
import { convertToParquet, DEFAULT_ROW_GROUP_SIZE } from './convert.ts';
import { DEFAULT_MAX_PARTITIONS } from './partition-limit.ts';
import { COMPRESSIONS, type CompressionName } from './compression.ts';

interface Args {
  input: string;
  out: string;
  partition: string | string[];
  force?: boolean;
  compression: CompressionName;
  'row-group-size': number;
  workers?: number;
  'max-errors': number;
  'max-partitions': number;
  format?: 'csv' | 'ndjson';
  verbose?: boolean;
  quiet?: boolean;
}

export const toParquetCommand: CommandModule<object, Args> = {
  command: 'to-parquet <input>',
  describe: 'CSV/NDJSON → hive-partitioned Parquet (streamed, validated, atomic)',
  builder: (y) =>
    y
      .positional('input', { type: 'string', demandOption: true, describe: 'A file, a folder of files, or a glob' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'Output folder (created atomically)' })
      // Not `array: true`: a greedy array would swallow INPUT in `-p region data.csv`.
      // Repeating the flag (-p region -p category) still collects several.
      .option('partition', {
        alias: 'p',
        type: 'string',
        demandOption: true,
        describe: 'Partition column(s), names or aliases, comma-separated: region, region,category, date …',
      })
      .option('force', { alias: 'f', type: 'boolean', describe: 'Replace OUTDIR if it exists (atomically)' })
      .option('compression', { choices: COMPRESSIONS, default: 'zstd' as const, describe: 'Parquet codec' })
      .option(
        'row-group-size',
        numberOption('row-group-size', {
          integer: true,
          min: 1,
          default: DEFAULT_ROW_GROUP_SIZE,
          describe: 'Rows per row group',
        }),
      )
      .option(
        'workers',
        numberOption('workers', { integer: true, min: 1, describe: 'Worker threads (default: min(2, cores))' }),
      )
      .option(
        'max-errors',
        numberOption('max-errors', {
          integer: true,
          min: 0,
          default: 0,
          describe: 'Bad rows tolerated (kept in OUTDIR/_rejects/); more fails the run with no output',
        }),
      )
      .option(
        'max-partitions',
        numberOption('max-partitions', {
          integer: true,
          min: 1,
          default: DEFAULT_MAX_PARTITIONS,
          describe: 'Partition folders allowed; more refuses the run (exit 2) with no output',
        }),
      )
      .option('format', { choices: ['csv', 'ndjson'] as const, describe: 'Input format (default: from extension)' })
      .example('salesflow to-parquet data/sales.csv -o data/lake -p region', 'one folder per region')
      .example('salesflow to-parquet data/sales.csv -o data/lake -p region,category -f', 'two levels, replace old')
      .example("salesflow to-parquet 'data/in/*.csv.gz' -o data/lake -p date --max-errors 100", 'glob, gzip, tolerate')
      .epilogue(
        'Writes OUTDIR/sales_region=North/part-00000.parquet …, _manifest.json and _SUCCESS; bad rows go to ' +
          'OUTDIR/_rejects/rejects.ndjson with file, line, raw text and reason. Exit 3 when rows were rejected. ' +
          'Partition by low-cardinality columns: id, customer and amount are refused (a folder per row), and a run ' +
          'making more than --max-partitions folders stops with exit 2. ' +
          'The summary goes to stdout (not with --quiet); progress to stderr on a TTY or with --verbose.',
      ),
  handler: async (args) => {
    const started = performance.now();
    // Progress in input bytes: the row count is unknown until the end, the byte count is not.
    let progress: ReturnType<typeof createProgress> | undefined;
    const manifest = await convertToParquet({
      input: args.input,
      outDir: args.out,
      partitionBy: args.partition,
      force: args.force,
      compression: args.compression,
      rowGroupSize: args['row-group-size'],
      workers: args.workers,
      maxErrors: args['max-errors'],
      maxPartitions: args['max-partitions'],
      format: args.format,
      onProgress: (p) => {
        progress ??= createProgress({
          label: 'to-parquet',
          total: p.totalBytes,
          unit: 'B',
          enabled: showProgress(args),
        });
        progress.set(p.bytesRead);
      },
    });
    progress?.finish();
    const secs = (performance.now() - started) / 1000;
    const parts = Object.keys(manifest.partitions).length;
    printSummary(
      args,
      `${formatCount(manifest.rows)} rows → ${args.out}: ${parts} partition${parts === 1 ? '' : 's'}, ` +
        `${manifest.files.length} files, ${formatBytes(manifest.bytes)} in ${formatDuration(secs)}` +
        (manifest.rejected ? `; ${manifest.rejected} rejected (see ${args.out}/${manifest.rejectsFile})` : ''),
    );
    // Some rows were set aside: the data landed, but the caller should know.
    if (manifest.rejected > 0) process.exitCode = EXIT_PARTIAL;
  },
};
