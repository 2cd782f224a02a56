/**
 * Imports flow one way: shared/ at the bottom, the capability folders on it,
 * pipelines on those, cli/ on top; test peers, tests and benchmarks beside the
 * product, never inside it. The rules are checked on the real import graph
 * (test/util/import-graph.ts), and each rule on a planted violation, so a
 * broken check cannot pass unnoticed.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, type ImportEdge, importGraph, loadsAtRunTime, readSources, topFolder } from './util/import-graph.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The product: what ships (dist/ is built from these, bin/ starts them). */
const PRODUCT = ['shared', 'generator', 'transform', 'upload', 'aggregate', 'warehouse', 'pipelines', 'cli', 'bin'];

/**
 * Every top-level folder and the folders its files may import (besides its
 * own). This table is the layering: a new folder, or a new edge between
 * folders, is a decision made here, with its reason.
 */
const ALLOWED: Record<string, { imports: readonly string[]; why: string }> = {
  shared: { imports: [], why: 'the bottom: what every command uses' },
  generator: { imports: ['shared'], why: 'a capability' },
  transform: { imports: ['shared'], why: 'a capability' },
  upload: { imports: ['shared'], why: 'a capability' },
  aggregate: {
    imports: ['shared', 'transform'],
    why: "a capability; a CSV source is read with transform's reader, so a row's verdict is the validator's",
  },
  warehouse: { imports: ['shared', 'sql'], why: 'a capability; sql/ holds the example queries it reads beside itself' },
  pipelines: {
    imports: ['shared', 'transform', 'warehouse'],
    why: "the loaders: the text readers and row parser of transform/, the warehouse's interface",
  },
  cli: {
    imports: ['shared', 'generator', 'transform', 'upload', 'aggregate', 'warehouse', 'pipelines'],
    why: 'the top: commands and the demo compose every library',
  },
  bin: {
    imports: ['cli', 'dist', 'node_modules'],
    why: 'the launcher: the sources, the built package, the pinned Node',
  },
  'test/util': {
    imports: [...PRODUCT, 'sql', 'terraform', 'dist'],
    why: 'test peers (GCS, BigQuery, Storage Write servers) and helpers: imported by tests, run as processes by benchmarks and by hand',
  },
  test: {
    imports: [...PRODUCT, 'test/util', 'sql', 'terraform', 'docs', 'dist', 'scripts'],
    why: 'tests reach whatever they test; never bench/',
  },
  bench: {
    imports: [...PRODUCT],
    why: 'benchmarks run the product; the peers in test/util/ run as processes (bench/util/peer-process.ts), never imported',
  },
  scripts: { imports: [], why: 'the build: no product import' },
  '': { imports: [], why: 'root files (vitest.config.ts)' },
};

/**
 * Inside pipelines/, each pipeline's folder (batch/, dims/, …) shares code only
 * through these folders and the files at pipelines/ itself (crash.ts,
 * file-outcome.ts), never through another pipeline's internals; the SDK imports
 * nothing else of pipelines/.
 */
const PIPELINE_COMMONS = ['sdk', 'io'];

/**
 * The layer a file belongs to: its top folder, except that test/util/ (the peers and helpers)
 * is a layer of its own; the peers' own tests beside them are tests.
 */
const layerOf = (path: string) =>
  path.startsWith('test/util/') && !path.endsWith('.test.ts') ? 'test/util' : topFolder(path);

/** `batch` for pipelines/batch/x.ts, '' for pipelines/x.ts. */
const pipelineFolder = (path: string) => (path.split('/').length > 2 ? path.split('/')[1] : '');

/** What breaks the layering in these files: one message per offending edge or cycle. */
function layeringViolations(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const edges = importGraph(files);
  const crossing: ImportEdge[] = [];
  for (const file of files.keys()) {
    const folder = layerOf(file);
    if (!(folder in ALLOWED)) problems.push(`${file}: folder ${folder}/ has no row in the layering table`);
  }
  for (const e of edges) {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    // The repository root itself (`new URL('../..', import.meta.url)`) is a place, not a layer.
    if (from === to || e.to === '.' || to === '') continue;
    crossing.push(e);
    if (!ALLOWED[from]?.imports.includes(to))
      problems.push(`${e.from} → ${e.to} (${e.kind}): ${from}/ may not import ${to}/`);
  }
  for (const e of edges) {
    if (topFolder(e.from) !== 'pipelines' || topFolder(e.to) !== 'pipelines') continue;
    const from = pipelineFolder(e.from);
    const to = pipelineFolder(e.to);
    if (from === to || from === '' || (from !== 'sdk' && (to === '' || PIPELINE_COMMONS.includes(to)))) continue;
    problems.push(
      `${e.from} → ${e.to} (${e.kind}): pipelines/${from}/ may not import ${to ? `pipelines/${to}/` : e.to}`,
    );
  }
  const folderEdges = crossing.map((e) => ({ from: layerOf(e.from), to: layerOf(e.to) }));
  for (const cycle of cycles(folderEdges)) problems.push(`a cycle between folders: ${cycle.join(' ↔ ')}`);
  // Inside the SDK, what runs: a cycle of run-time imports hands some module a binding before it is
  // initialised. Types may refer to each other (a Pipeline makes PCollections, a PCollection knows its
  // Pipeline); those imports are erased before anything runs.
  const sdk = edges.filter(
    (e) => e.from.startsWith('pipelines/sdk/') && e.to.startsWith('pipelines/sdk/') && loadsAtRunTime(e),
  );
  for (const cycle of cycles(sdk)) problems.push(`a cycle between files of pipelines/sdk: ${cycle.join(' ↔ ')}`);
  return problems;
}

describe('layering', () => {
  const real = readSources(ROOT);

  it('reads every source file and its imports, dynamic imports and module URLs included', () => {
    const edges = importGraph(real);
    expect(real.size).toBeGreaterThan(300);
    const has = (from: string, to: string, kind: string) =>
      expect(edges, `${from} → ${to}`).toContainEqual({ from, to, kind });
    has('cli/commands.ts', 'generator/command.ts', 'import()');
    has('transform/worker-pool.ts', 'transform/convert-worker.ts', 'url');
    has('warehouse/examples.ts', 'sql/examples', 'url');
    has('warehouse/index.ts', 'warehouse/open.ts', 'export');
    has('pipelines/batch/stage.ts', 'warehouse/warehouse.ts', 'import type');
  });

  it('the repository follows the layering table: no forbidden edge, no cycle between folders or SDK files', () => {
    expect(layeringViolations(real)).toEqual([]);
  });

  describe('each rule catches a planted violation', () => {
    const plant = (file: string, text: string) => layeringViolations(new Map([...real, [file, text]]));

    it('shared/ importing a capability', () => {
      expect(plant('shared/planted.ts', "import { openWarehouse } from '../warehouse/open.ts';\n")).toContain(
        'shared/planted.ts → warehouse/open.ts (import): shared/ may not import warehouse/',
      );
    });

    it('a capability importing a sibling capability, also lazily or as a worker URL', () => {
      const problems = plant(
        'upload/planted.ts',
        "const m = await import('../transform/convert.ts');\nnew Worker(new URL('../generator/worker.ts', import.meta.url));\n",
      );
      expect(problems).toContain(
        'upload/planted.ts → transform/convert.ts (import()): upload/ may not import transform/',
      );
      expect(problems).toContain('upload/planted.ts → generator/worker.ts (url): upload/ may not import generator/');
    });

    it('a library importing cli/, which is also a cycle between folders', () => {
      const problems = plant('pipelines/planted.ts', "import type { DemoStep } from '../cli/demo-steps/step.ts';\n");
      expect(problems).toContain(
        'pipelines/planted.ts → cli/demo-steps/step.ts (import type): pipelines/ may not import cli/',
      );
      expect(problems).toContain('a cycle between folders: cli ↔ pipelines');
    });

    it('product code importing test peers, tests or benchmarks', () => {
      expect(plant('upload/planted.ts', "export * from '../test/util/gcs-server/index.ts';\n")).toContain(
        'upload/planted.ts → test/util/gcs-server/index.ts (export): upload/ may not import test/util/',
      );
      expect(plant('warehouse/planted.ts', "import { useTempDir } from '../test/util/tmp.ts';\n")).toContain(
        'warehouse/planted.ts → test/util/tmp.ts (import): warehouse/ may not import test/util/',
      );
    });

    it('bench/ importing a test or a test peer or helper (also as a worker URL), and test/ importing bench/', () => {
      expect(plant('bench/planted.ts', "import '../test/layering.test.ts';\n")).toContain(
        'bench/planted.ts → test/layering.test.ts (import): bench/ may not import test/',
      );
      expect(plant('bench/planted.ts', "import { useTempDir } from '../test/util/tmp.ts';\n")).toContain(
        'bench/planted.ts → test/util/tmp.ts (import): bench/ may not import test/util/',
      );
      expect(
        plant('bench/util/planted.ts', "new Worker(new URL('../../test/util/gcs-server/main.ts', import.meta.url));\n"),
      ).toContain('bench/util/planted.ts → test/util/gcs-server/main.ts (url): bench/ may not import test/util/');
      expect(plant('test/util/planted.ts', "import { compare } from '../../bench/util/measure.ts';\n")).toContain(
        'test/util/planted.ts → bench/util/measure.ts (import): test/util/ may not import bench/',
      );
      expect(plant('test/planted.ts', "import { compare } from '../bench/util/measure.ts';\n")).toContain(
        'test/planted.ts → bench/util/measure.ts (import): test/ may not import bench/',
      );
    });

    it("a pipeline borrowing another pipeline's internals, or the SDK importing a pipeline", () => {
      expect(plant('pipelines/dims/planted.ts', "import { commitGroup } from '../batch/commit.ts';\n")).toContain(
        'pipelines/dims/planted.ts → pipelines/batch/commit.ts (import): pipelines/dims/ may not import pipelines/batch/',
      );
      expect(plant('pipelines/sdk/planted.ts', "import { checkpoint } from '../crash.ts';\n")).toContain(
        'pipelines/sdk/planted.ts → pipelines/crash.ts (import): pipelines/sdk/ may not import pipelines/crash.ts',
      );
      expect(plant('pipelines/dims/planted.ts', "import { checkpoint } from '../crash.ts';\n")).toEqual([]);
    });

    it('a folder the table does not know', () => {
      expect(plant('tools/planted.ts', 'export {};\n')).toContain(
        'tools/planted.ts: folder tools/ has no row in the layering table',
      );
    });

    it('a cycle of run-time imports between files of pipelines/sdk (types may refer to each other)', () => {
      const problems = layeringViolations(
        new Map([
          ...real,
          ['pipelines/sdk/planted-a.ts', "import { b } from './planted-b.ts';\nexport const a = () => b;\n"],
          ['pipelines/sdk/planted-b.ts', "import { a } from './planted-a.ts';\nexport const b = () => a;\n"],
          ['pipelines/sdk/planted-c.ts', "import type { D } from './planted-d.ts';\nexport interface C { d: D }\n"],
          ['pipelines/sdk/planted-d.ts', "import type { C } from './planted-c.ts';\nexport interface D { c: C }\n"],
        ]),
      );
      expect(problems).toContain(
        'a cycle between files of pipelines/sdk: pipelines/sdk/planted-a.ts ↔ pipelines/sdk/planted-b.ts',
      );
      expect(problems.filter((p) => p.includes('planted-c'))).toEqual([]);
    });
  });
});
