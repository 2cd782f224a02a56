/** Every subcommand, in --help order. Add a command here once its module exists. */
import type { CommandModule } from 'yargs';
import { schemaCommand } from './schema-command.ts';
import { genCommand } from '../generator/command.ts';
import { demoCommand } from './demo-command.ts';
import { toParquetCommand } from '../transform/command.ts';
import { aggregateCommand } from '../aggregate/command.ts';
import { uploadCommand } from '../upload/command.ts';
import { queryCommand } from '../warehouse/command.ts';
import { pipelineCommand } from '../pipelines/command.ts';

// biome-ignore lint/suspicious/noExplicitAny: yargs command modules have heterogeneous argument types.
export const commands: CommandModule<any, any>[] = [genCommand, demoCommand, schemaCommand, toParquetCommand, uploadCommand, aggregateCommand, queryCommand, pipelineCommand];
