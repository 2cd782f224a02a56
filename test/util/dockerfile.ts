/**
 * What the runtime image must be, checked on the Dockerfile's text (Docker cannot
 * run here): several stages, the package built with npm ci + npm run build + npm
 * pack in one and only the tarball installed in the last, which runs as a
 * non-root user with `salesflow` as its exec-form entrypoint.
 */
export interface Stage {
  from: string;
  name?: string;
  instructions: { op: string; args: string }[];
}

/** Stages of a Dockerfile: comments dropped, line continuations joined. */
export function dockerStages(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ from: m?.[1] ?? args, name: m?.[2], instructions: [] });
    } else stages.at(-1)?.instructions.push({ op: upper, args });
  }
  return stages;
}

/** What the Dockerfile gets wrong (empty: it builds the image the deployment expects). */
export function checkDockerfile(text: string): string[] {
  const problems: string[] = [];
  const stages = dockerStages(text);
  if (stages.length < 2) return ['not multi-stage: build the package in one stage, run it from another'];
  const runs = (s: Stage) =>
    s.instructions
      .filter((i) => i.op === 'RUN')
      .map((i) => i.args)
      .join(' && ');
  const build = stages.find(
    (s) => /\bnpm ci\b/.test(runs(s)) && /\bnpm run build\b/.test(runs(s)) && /\bnpm pack\b/.test(runs(s)),
  );
  if (!build) problems.push('no stage builds the package with npm ci, npm run build and npm pack');
  const runtime = stages[stages.length - 1];
  if (runtime === build) problems.push('the last stage is the build stage: the runtime must be its own stage');
  if (!/slim|distroless|alpine/.test(runtime.from))
    problems.push(`the runtime stage starts from ${runtime.from}, not a slim image`);
  const fromBuild = runtime.instructions.find(
    (i) => i.op === 'COPY' && /--from=/.test(i.args) && /\.tgz\b/.test(i.args),
  );
  if (!fromBuild) problems.push('the runtime stage does not copy the packed tarball from the build stage');
  if (!/\bnpm (install|i)\b[^&]*--omit=dev[^&]*\.tgz|\bnpm (install|i)\b[^&]*\.tgz[^&]*--omit=dev/.test(runs(runtime)))
    problems.push('the runtime stage does not install the tarball without dev dependencies');
  if (/\bnpm run build\b|\bnpm ci\b/.test(runs(runtime)))
    problems.push('the runtime stage builds: it must only install the tarball');
  const user = runtime.instructions
    .filter((i) => i.op === 'USER')
    .at(-1)
    ?.args.split(':')[0];
  if (!user) problems.push('the runtime stage has no USER: it would run as root');
  else if (user === 'root' || user === '0') problems.push(`the runtime stage runs as ${user}`);
  const entrypoint = runtime.instructions.filter((i) => i.op === 'ENTRYPOINT').at(-1)?.args;
  let exec: unknown;
  try {
    exec = entrypoint ? JSON.parse(entrypoint) : undefined;
  } catch {
    exec = undefined;
  }
  if (!Array.isArray(exec) || exec[0] !== 'salesflow')
    problems.push(`ENTRYPOINT must be the exec form ["salesflow"] (got ${entrypoint ?? 'none'})`);
  return problems;
}
