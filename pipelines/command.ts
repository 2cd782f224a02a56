/** `salesflow pipeline <kind>`: the pipelines built on the SDK. */
import type { CommandModule } from 'yargs';
import { batchCommand } from './batch/command.ts';

export const pipelineCommand: CommandModule = {
  command: 'pipeline',
  describe: 'Run a data pipeline (batch: landing files → warehouse)',
  // biome-ignore lint/suspicious/noExplicitAny: yargs subcommands have their own argument types.
  builder: (y) => y.command(batchCommand as CommandModule<any, any>).demandCommand(1, 'Pick a pipeline: batch'),
  handler: () => {},
};
