/**
 * Every subcommand, in --help order, loaded lazily: a command's module (and the
 * heavy libraries behind it — DuckDB, parquet-wasm, the Google clients) is only
 * imported when that command runs, or when the full --help list is asked for.
 * That keeps `salesflow schema` or `salesflow gen` from paying ~1.5 s of start-up
 * for modules they never use. Add a command here once its module exists.
 */
import type { CommandModule } from 'yargs';

// biome-ignore lint/suspicious/noExplicitAny: yargs command modules have heterogeneous argument types.
export type AnyCommand = CommandModule<any, any>;

export interface LazyCommand {
  /** The word typed after `salesflow`. */
  name: string;
  load: () => Promise<AnyCommand>;
}

export const commands: LazyCommand[] = [
  { name: 'gen', load: async () => (await import('../generator/command.ts')).genCommand },
  { name: 'to-parquet', load: async () => (await import('../transform/command.ts')).toParquetCommand },
  { name: 'upload', load: async () => (await import('../upload/command.ts')).uploadCommand },
  { name: 'aggregate', load: async () => (await import('../aggregate/command.ts')).aggregateCommand },
  { name: 'publish', load: async () => (await import('../generator/publish-command.ts')).publishCommand },
  { name: 'pipeline', load: async () => (await import('../pipelines/command.ts')).pipelineCommand },
  { name: 'query', load: async () => (await import('../warehouse/command.ts')).queryCommand },
  { name: 'dashboard', load: async () => (await import('../warehouse/dashboard/command.ts')).dashboardCommand },
  { name: 'looker', load: async () => (await import('../warehouse/looker-command.ts')).lookerCommand },
  { name: 'demo', load: async () => (await import('./demo-command.ts')).demoCommand },
  { name: 'schema', load: async () => (await import('./schema-command.ts')).schemaCommand },
];

/**
 * The commands to register for this argv: just the one named by the first
 * positional word when it is a known command, otherwise all of them (top-level
 * --help, typos that yargs should suggest a fix for).
 */
export async function loadCommands(argv: readonly string[]): Promise<AnyCommand[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  const named = commands.find((c) => c.name === first);
  const wanted = named ? [named] : commands;
  return Promise.all(wanted.map((c) => c.load()));
}
