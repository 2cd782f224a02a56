/** The demo's lake → the landing area of a local "bucket" folder (standing in for gs://). */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { upload } from '../../upload/upload.ts';
import { type DemoStep, need } from './step.ts';

export const uploadStep: DemoStep = {
  name: 'upload',
  describe: 'lake → landing area of a local "bucket" folder',
  async run(ctx) {
    const bucket = join(ctx.dir, 'bucket');
    // The demo owns its folder: a fresh bucket each run, so the pipeline sees every file as new.
    await rm(bucket, { recursive: true, force: true });
    const dest = join(bucket, 'landing', 'lake');
    const s = await upload({ src: need(ctx, 'lake', 'upload'), dest });
    if (s.failed > 0) throw new Error(`${s.failed} files failed to upload`);
    ctx.files.bucket = bucket;
    return { output: dest, detail: `${s.uploaded} files` };
  },
};
