/** `salesflow demo` (also `npm run demo`): run the whole flow locally and print a step report. */
import type { CommandModule } from 'yargs';
import { EXIT_FAILURE, UsageError } from '../shared/errors.ts';
import { countFlag } from '../generator/options.ts';
import { DEMO_DEFAULTS, DEMO_STEPS, formatDemoReport, runDemo } from './demo.ts';

interface DemoArgs {
  rows: string;
  dir: string;
  seed: string;
  steps?: string;
  quiet?: boolean;
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'Run the whole flow locally on a small dataset (data/demo) and report each step',
  builder: (y) =>
    y
      .option('rows', { alias: 'n', type: 'string', default: String(DEMO_DEFAULTS.rows), describe: 'Rows to generate' })
      .option('dir', {
        alias: 'd',
        type: 'string',
        default: DEMO_DEFAULTS.dir,
        describe: 'Folder for every demo output (replaced on re-run)',
      })
      .option('seed', { alias: 's', type: 'string', default: String(DEMO_DEFAULTS.seed), describe: 'Generator seed' })
      .option('steps', {
        type: 'string',
        describe: `Comma-separated subset of steps, in order (${DEMO_STEPS.map((s) => s.name).join(', ')})`,
      })
      .example('salesflow demo', `all steps (${DEMO_STEPS.map((s) => s.name).join(' → ')}) on 1M rows in data/demo`)
      .example('salesflow demo -n 100k -d /tmp/demo', 'a quick run elsewhere'),
  handler: async (args) => {
    const rows = countFlag('rows', args.rows);
    const seed = countFlag('seed', args.seed);
    let steps = DEMO_STEPS;
    if (args.steps !== undefined) {
      const wanted = args.steps
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = wanted.filter((w) => !DEMO_STEPS.some((s) => s.name === w));
      if (unknown.length > 0) {
        throw new UsageError(
          `unknown demo step ${unknown.join(', ')}; steps: ${DEMO_STEPS.map((s) => s.name).join(', ')}`,
          { field: 'steps' },
        );
      }
      steps = DEMO_STEPS.filter((s) => wanted.includes(s.name));
    }
    const report = await runDemo({
      dir: args.dir,
      rows,
      seed,
      steps,
      onStep: (e) => {
        if (args.quiet) return;
        if (e.phase === 'start') process.stderr.write(`▶ ${e.step} …\n`);
        else process.stderr.write(`  ${e.step}: ${e.status} in ${e.seconds.toFixed(1)} s\n`);
      },
      note: (m) => {
        if (!args.quiet) process.stderr.write(`  ${m}\n`);
      },
    });
    process.stdout.write(`${formatDemoReport(report)}\n`);
    const page = report.steps.find((s) => s.name === 'report' && s.status === 'ok');
    if (page?.output)
      process.stdout.write(`Your sales dashboard: ${page.output} (open it in a browser; it works offline)\n`);
    if (!report.ok) process.exitCode = EXIT_FAILURE;
  },
};
