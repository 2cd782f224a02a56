/** `salesflow pipeline <kind>`: the pipelines built on the SDK. */
import type { CommandModule } from 'yargs';
import { batchCommand } from './batch/command.ts';
import { dimsCommand } from './dims/command.ts';
import { streamCommand } from './stream/command.ts';

export const pipelineCommand: CommandModule = {
  command: 'pipeline',
  describe:
    'Run a data pipeline (batch: landing files → warehouse; stream: Pub/Sub → warehouse; dims: customers/products → dimension tables)',
  builder: (y) =>
    y
      // biome-ignore lint/suspicious/noExplicitAny: yargs subcommands have their own argument types.
      .command(batchCommand as CommandModule<any, any>)
      // biome-ignore lint/suspicious/noExplicitAny: yargs subcommands have their own argument types.
      .command(dimsCommand as CommandModule<any, any>)
      // biome-ignore lint/suspicious/noExplicitAny: yargs subcommands have their own argument types.
      .command(streamCommand as CommandModule<any, any>)
      .demandCommand(1, 'Pick a pipeline: batch, stream or dims'),
  handler: () => {},
};
