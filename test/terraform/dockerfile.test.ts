/** The runtime image the Cloud Run job and service run (terraform/runtime.tf): Dockerfile at the repository root. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../util/cli.ts';
import { checkDockerfile, dockerStages } from '../util/dockerfile.ts';

const DOCKERFILE = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');

describe('Dockerfile', () => {
  it('builds the package in one stage and runs only the tarball, as non-root, with salesflow as entrypoint', () => {
    expect(checkDockerfile(DOCKERFILE)).toEqual([]);
    expect(dockerStages(DOCKERFILE).map((s) => s.name)).toEqual(['build', 'runtime']);
  });

  const plant = (from: string | RegExp, to: string) => {
    const text = DOCKERFILE.replace(from, to);
    expect(text).not.toBe(DOCKERFILE);
    return checkDockerfile(text);
  };

  it('names a root user', () => {
    expect(plant(/^USER node$/m, 'USER root')).toContain('the runtime stage runs as root');
    expect(plant(/^USER node$/m, '')).toContain('the runtime stage has no USER: it would run as root');
  });

  it('names a single-stage build', () => {
    const single = DOCKERFILE.slice(0, DOCKERFILE.search(/^FROM .* AS runtime$/m));
    expect(checkDockerfile(single)).toEqual(['not multi-stage: build the package in one stage, run it from another']);
  });

  it('names a shell-form or foreign entrypoint', () => {
    expect(plant('ENTRYPOINT ["salesflow"]', 'ENTRYPOINT salesflow')[0]).toMatch(/exec form/);
    expect(plant('ENTRYPOINT ["salesflow"]', 'ENTRYPOINT ["node", "cli/main.ts"]')[0]).toMatch(/exec form/);
  });

  it('names a build stage that does not pack the package', () => {
    expect(plant('&& npm pack --pack-destination /pkg', '')).toContain(
      'no stage builds the package with npm ci, npm run build and npm pack',
    );
  });
});
