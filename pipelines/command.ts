/** `salesflow pipeline <kind>`: the pipelines built on the SDK. */
import type { CommandModule } from 'yargs';
import { batchCommand } from './batch/command.ts';
import { streamCommand } from './stream/command.ts';

export const pipelineCommand: CommandModule = {
  command: 'pipeline',
  describe: 'Run a data pipeline (batch: landing files → warehouse; stream: Pub/Sub → warehouse)',
  builder: (y) =>
    y
      // biome-ignore lint/suspicious/noExplicitAny: yargs subcommands have their own argument types.
      .command(batchCommand as CommandModule<any, any>)
      // biome-ignore lint/suspicious/noExplicitAny: yargs subcommands have their own argument types.
      .command(streamCommand as CommandModule<any, any>)
      .demandCommand(1, 'Pick a pipeline: batch or stream'),
  handler: () => {},
};
