/** The `terraform` binary on PATH, run without touching the user's CLI configuration or the repository. */
import { execFileSync, spawnSync } from 'node:child_process';

/** The binary's version line, or undefined when no `terraform` is on PATH. */
export function terraformVersion(): string | undefined {
  try {
    return execFileSync('terraform', ['version'], { encoding: 'utf8', env: terraformEnv() }).split('\n')[0];
  } catch {
    return undefined;
  }
}

export function terraformEnv(): NodeJS.ProcessEnv {
  return { ...process.env, TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' };
}

export interface TerraformRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runTerraform(args: string[], cwd: string): TerraformRun {
  const r = spawnSync('terraform', args, {
    cwd,
    encoding: 'utf8',
    env: terraformEnv(),
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
