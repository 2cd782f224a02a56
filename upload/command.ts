/** `salesflow upload SRC DEST`: flags → upload() → progress, summary, exit code. */
import type { CommandModule } from 'yargs';
import { EXIT_FAILURE } from '../shared/errors.ts';
import { log } from '../shared/log.ts';
import { numberOption } from '../shared/number-flag.ts';
import { printSummary, showProgress } from '../shared/command-output.ts';
import { createProgress, type Progress } from '../shared/progress.ts';

const STORAGE_CLASSES = ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE'] as const;

interface UploadArgs {
  src: string;
  dest: string;
  workers: number;
  prefix?: string;
  'create-bucket': boolean;
  location: string;
  'dry-run': boolean;
  force: boolean;
  'storage-class'?: (typeof STORAGE_CLASSES)[number];
  'api-endpoint'?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export const uploadCommand: CommandModule<object, UploadArgs> = {
  command: 'upload <src> <dest>',
  describe:
    'Upload a file or folder to gs://bucket/prefix or a local bucket folder (concurrent, verified, re-runnable)',
  builder: (y) =>
    y
      .positional('src', { type: 'string', demandOption: true, describe: 'File or folder (e.g. the Parquet lake)' })
      .positional('dest', {
        type: 'string',
        demandOption: true,
        describe: 'gs://bucket/prefix, or a local folder standing in for a bucket',
      })
      .option(
        'workers',
        numberOption('workers', {
          alias: 'w',
          integer: true,
          min: 1,
          max: 256,
          default: 8,
          describe: 'Files uploading at once (1-256)',
        }),
      )
      .option('prefix', { type: 'string', describe: 'Extra object prefix under DEST' })
      .option('create-bucket', {
        type: 'boolean',
        default: true,
        describe:
          'Create a missing bucket (uniform access, public access prevention enforced); --no-create-bucket to refuse',
      })
      .option('location', {
        type: 'string',
        default: 'US',
        describe: 'Location for a bucket this creates (US, EU, europe-west1…)',
      })
      .option('storage-class', {
        choices: STORAGE_CLASSES,
        describe: 'Storage class for new objects (and a new bucket)',
      })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Show what would be uploaded or skipped; change nothing',
      })
      .option('force', {
        alias: 'f',
        type: 'boolean',
        default: false,
        describe: 'Re-upload even objects that already match',
      })
      .option('api-endpoint', {
        type: 'string',
        describe: 'GCS endpoint (e.g. http://127.0.0.1:4443 for the test server); STORAGE_EMULATOR_HOST works too',
      })
      .example('salesflow upload data/lake gs://my-bucket/lake -w 8', 'Upload the Parquet lake, 8 files at a time')
      .example(
        'salesflow upload data/lake gs://my-bucket/lake',
        'Run again: unchanged files are skipped (size + checksum)',
      )
      .example(
        'salesflow upload data/sales.csv gs://my-bucket --prefix raw/2026-11-22 --location EU',
        'One file, new EU bucket',
      )
      .example('salesflow upload data/lake /srv/bucket/lake', 'A local folder as the bucket (atomic per file)')
      .example(
        'STORAGE_EMULATOR_HOST=http://127.0.0.1:4443 salesflow upload data/lake gs://demo/lake',
        'Against the test server (npm run gcs-server)',
      )
      .epilogue(
        'Objects keep their relative paths (prefix/sales_region=North/part-00000.parquet). _SUCCESS and ' +
          '_manifest.json go up last, and only if every other file landed. Exit 1 if any file failed; each ' +
          'failure is named with its reason (transient after retries, or terminal). ' +
          'The summary goes to stdout (not with --quiet); progress to stderr on a TTY or with --verbose.',
      ),
  handler: async (args) => {
    // Loaded here, not at the top: other commands' start-up should not pay for the GCS client.
    const { describeFailure, upload } = await import('./upload.ts');
    const { formatSummary } = await import('./report.ts');
    let progress: Progress | undefined;
    const summary = await upload({
      src: args.src,
      dest: args.dest,
      workers: args.workers,
      prefix: args.prefix,
      createBucket: args['create-bucket'],
      location: args.location,
      storageClass: args['storage-class'],
      dryRun: args['dry-run'],
      force: args.force,
      store: args['api-endpoint'] ? { apiEndpoint: args['api-endpoint'] } : {},
      onPlan: (files) => {
        progress = createProgress({
          label: args['dry-run'] ? 'checking' : 'upload',
          total: files.length,
          unit: 'files',
          enabled: showProgress(args),
        });
      },
      onBytes: (delta) => progress?.add(0, delta),
      onFile: (r) => {
        progress?.add(1, 0);
        if (r.status === 'failed') log.warn(describeFailure(r));
        else log.debug(`${r.status} ${r.uri}`);
      },
    });
    progress?.finish();
    printSummary(args, formatSummary(summary, args.src));
    if (summary.failed > 0) process.exitCode = EXIT_FAILURE;
  },
};
