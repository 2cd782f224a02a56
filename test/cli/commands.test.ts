/** The lazy command table: what listings show without loading a module equals what the modules declare. */
import { describe, expect, it } from 'vitest';
import { commands, type LazyCommand, loadCommands, nameOf } from '../../cli/commands.ts';
import { runSalesflow } from '../util/cli.ts';

function leaves(table: readonly LazyCommand[]): LazyCommand[] {
  return table.flatMap((c) => (c.subcommands ? leaves(c.subcommands) : [c]));
}

describe('the command table', () => {
  it.each(leaves(commands).map((c) => [c.usage, c]))('%s: usage and description equal its module', async (_, c) => {
    const module = await c.load!();
    expect(module.command).toBe(c.usage);
    expect(module.describe).toBe(c.describe);
  });

  it('loads only the command (and subcommand) named', async () => {
    const loaded = await loadCommands(['pipeline', 'batch', '-s', 'x']);
    expect(loaded.map((c) => c.command)).toEqual(['pipeline']);
    expect(await loadCommands(['gen', '-n', '5'])).toHaveLength(1);
    // A listing: every command, none of them loaded (no builder, nothing imported).
    const listed = await loadCommands(['--version']);
    expect(listed.map((c) => c.command)).toEqual(commands.map((c) => c.usage));
    expect(listed.every((c) => c.builder === undefined)).toBe(true);
  });

  it('a group without its subcommand shows the group list and exits 2', async () => {
    const res = await runSalesflow(['pipeline']);
    expect(res.code).toBe(2);
    for (const sub of commands.find((c) => nameOf(c) === 'pipeline')!.subcommands!) {
      expect(res.stderr).toContain(`salesflow pipeline ${sub.usage}`);
    }
    expect(res.stderr).toMatch(/Pick a pipeline \(see the list above\): batch, stream, dims/);
  });
});

/** Every path a user can ask --help of: the root, each command, each group and its subcommands. */
function helpPaths(table: readonly LazyCommand[], prefix: string[] = []): string[][] {
  return table.flatMap((c) => {
    const path = [...prefix, nameOf(c)];
    return c.subcommands ? [path, ...helpPaths(c.subcommands, path)] : [path];
  });
}

describe('--help teaches', () => {
  it.each([[], ...helpPaths(commands)].map((p) => [p.join(' ') || '(root)', p]))(
    'salesflow %s --help has an Examples section',
    async (_, path) => {
      const res = await runSalesflow([...path, '--help']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/^Examples:\n {2}salesflow /m);
    },
  );
});
