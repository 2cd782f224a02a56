/**
 * What a demo step is: a name, a line saying what it does, and `run`, which
 * gets the shared context (the demo folder, sizes, and the files earlier steps
 * made) and returns what it made. Each step calls one library, the way its
 * command would; cli/demo.ts puts the steps in order.
 */

export interface DemoContext {
  /** Folder for every demo output (default data/demo). */
  readonly dir: string;
  /** Rows to generate. */
  readonly rows: number;
  readonly seed: number;
  /** Files and folders made by earlier steps, by role (salesCsv, customersCsv, …). */
  readonly files: Record<string, string>;
  /** Progress notes for people watching (stderr). */
  note(message: string): void;
}

export interface DemoStepResult {
  /** Rows the step produced or processed. */
  rows?: number;
  /** Main output (file, folder, table). */
  output?: string;
  detail?: string;
  /** The step could not run here (e.g. a tool is missing): why. Not a failure; later steps still run. */
  skipped?: string;
}

export interface DemoStep {
  name: string;
  describe: string;
  run(ctx: DemoContext): Promise<DemoStepResult>;
}

/** The file an earlier step made in this role, or an error saying which step is missing. */
export function need(ctx: DemoContext, role: string, step: string): string {
  const f = ctx.files[role];
  if (!f) throw new Error(`the ${step} step needs the output of an earlier step (${role}); run the steps in order`);
  return f;
}
