/**
 * Object keys and cache paths are normalised and confined: an address with `.`
 * or `..` segments is refused (exit 2) before anything is written, and object
 * names a bucket lists are never mapped outside the folder they mirror into.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../shared/errors.ts';
import { joinKey, localPathOf, normalizePrefix, openStore, parseLocation } from '../../../shared/storage/index.ts';
import { runSalesflow } from '../../util/cli.ts';
import { type GcsServer, startGcsServer } from '../../util/gcs-server/index.ts';
import { salesCsvText } from '../../util/sales-csv.ts';
import { generateSales, writeSalesLake } from '../../util/sales-lake.ts';
import { useTempDir } from '../../util/tmp.ts';
import { sampleRows } from '../../warehouse/fixtures.ts';

const tmp = useTempDir('salesflow-location-');

describe('addresses and keys', () => {
  it.each([
    'gs://b-1/../x',
    'gs://b-1/../../x',
    'gs://b-1/lake/../../../x',
    'gs://b-1/lake/..',
    'gs://b-1/./lake',
    'gs://b-1/lake/./x',
    'gs://b-1/lake/%2e%2e/x'.replace('%2e%2e', '..'),
  ])('refuses %s with a usage error naming it', (uri) => {
    const err = (() => {
      try {
        parseLocation(uri);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain(uri);
    expect((err as UsageError).message).toMatch(/"\.\.?"|\.\. or \./);
  });

  it('collapses repeated slashes instead of keeping empty segments', () => {
    expect(parseLocation('gs://b-1//lake///v1/')).toEqual({ kind: 'gcs', bucket: 'b-1', prefix: 'lake/v1' });
    expect(normalizePrefix('/raw//2026-11-22/')).toBe('raw/2026-11-22');
    expect(joinKey('lake/v1/', '/part-0.parquet')).toBe('lake/v1/part-0.parquet');
  });

  it.each([['../x'], ['a/../../x'], ['./x'], ['a/./x'], ['a/..']])('joinKey refuses %s', (key) => {
    expect(() => joinKey('lake', key)).toThrow(UsageError);
    expect(() => joinKey(key)).toThrow(UsageError);
  });

  it('maps listed object names into a folder only when they stay inside it', () => {
    const root = join(tmp(), 'mirror');
    expect(localPathOf(root, 'sales_region=North/part-0.parquet')).toBe(
      join(root, 'sales_region=North', 'part-0.parquet'),
    );
    for (const key of [
      '../x.parquet',
      'a/../../x.parquet',
      '/etc/passwd',
      'a//b.parquet',
      'a/./b.parquet',
      '',
      'a\0b',
    ]) {
      expect(() => localPathOf(root, key), JSON.stringify(key)).toThrow(UsageError);
    }
  });

  it('a store refuses keys that would leave its prefix, on GCS and in a local folder', async () => {
    const local = openStore(join(tmp(), 'bucket-folder'));
    await expect(local.putBuffer('../escaped.txt', 'x')).rejects.toBeInstanceOf(UsageError);
    expect(existsSync(join(tmp(), 'escaped.txt'))).toBe(false);
    const gcs = openStore('gs://b-1/lake', { apiEndpoint: 'http://127.0.0.1:9' });
    expect(() => gcs.uri('../../x')).toThrow(UsageError);
  });
});

describe('the commands, against a GCS server and a hostile bucket', () => {
  let gcs: GcsServer;
  let lake: string;
  const env = () => ({ STORAGE_EMULATOR_HOST: gcs.url });

  beforeAll(async () => {
    gcs = await startGcsServer();
    lake = join(tmp(), 'lake');
    await writeSalesLake(generateSales(300, 4), join(tmp(), 'lake.csv'), lake);
  });
  afterAll(() => gcs.stop());

  it.each([['gs://up-1/../../x'], ['gs://up-1/lake/../../../x'], ['gs://up-1/./lake']])(
    'upload to %s exits 2 and writes no object',
    async (dest) => {
      const r = await runSalesflow(['upload', lake, dest], { env: env() });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/"\.\.?" path segments/);
      expect(gcs.state.buckets.has('up-1') ? gcs.listObjectNames('up-1') : []).toEqual([]);
    },
  );

  it('upload --prefix with .. exits 2 and writes no object', async () => {
    for (const prefix of ['../..', 'raw/../../x', './raw']) {
      const r = await runSalesflow(['upload', lake, 'gs://up-2/lake', '--prefix', prefix], { env: env() });
      expect(r.code, `${prefix}: ${r.stderr}`).toBe(2);
    }
    expect(gcs.state.buckets.has('up-2') ? gcs.listObjectNames('up-2') : []).toEqual([]);
  });

  it('aggregate gs://…/../.. exits 2: nothing mirrored into or deleted from a folder outside the cache', async () => {
    const base = join(tmp(), 'agg1');
    const cache = join(base, 'work', 'cache');
    // Where gs://agg/../../../victim would land from the cache: the sentinel must survive.
    const victim = join(base, 'victim');
    mkdirSync(victim, { recursive: true });
    writeFileSync(join(victim, 'keep.parquet'), 'not a lake file, must not be deleted');
    // Objects under those very names, which an unconfined mirror would fetch into (and prune) the victim folder.
    gcs.state.createBucket({ name: 'agg-1' });
    for (const name of [
      '../../../victim/sales_region=North/p.parquet',
      'x/../../../../victim/sales_region=North/p.parquet',
    ]) {
      gcs.state.putObject({ bucket: 'agg-1', name, data: readFileSync(firstParquet(lake)) });
    }
    for (const uri of ['gs://agg-1/../../../victim', 'gs://agg-1/x/../../../../victim']) {
      const r = await runSalesflow(['aggregate', uri, '--cache-dir', cache], { env: env() });
      expect(r.code, r.stderr).toBe(2);
    }
    expect(readFileSync(join(victim, 'keep.parquet'), 'utf8')).toMatch(/must not be deleted/);
  });

  it('a bucket whose object names climb out is refused (exit 2), nothing lands outside the cache', async () => {
    const bucket = 'hostile-1';
    gcs.state.createBucket({ name: bucket });
    const file = readFileSync(firstParquet(lake));
    gcs.state.putObject({ bucket, name: 'lake/sales_region=North/part-0.parquet', data: file });
    gcs.state.putObject({ bucket, name: 'lake/../../../escaped.parquet', data: file });
    const base = join(tmp(), 'agg2');
    const cache = join(base, 'a', 'b', 'cache');
    const r = await runSalesflow(['aggregate', `gs://${bucket}/lake`, '--cache-dir', cache], { env: env() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('../../../escaped.parquet');
    const landed = existsSync(base)
      ? readdirSync(base, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet'))
      : [];
    expect(landed.every((f) => f.startsWith(join('a', 'b', 'cache')))).toBe(true);
  });

  it('pipeline batch refuses .. in --source, --archive and --rejected, and a landing object that climbs out', async () => {
    const wh = `duckdb:${join(tmp(), 'w.duckdb')}`;
    const bucket = 'landing-1';
    gcs.state.createBucket({ name: bucket });
    gcs.state.putObject({
      bucket,
      name: 'landing/day1.csv',
      data: Buffer.from(salesCsvText(sampleRows(5, 8))),
    });
    for (const flags of [
      ['-s', `gs://${bucket}/landing/../../x`],
      ['-s', `gs://${bucket}/landing`, '--archive', `gs://${bucket}/../archive`],
      ['-s', `gs://${bucket}/landing`, '--rejected', `gs://${bucket}/x/../../rejected`],
      ['-s', `gs://${bucket}/./landing`],
    ]) {
      const r = await runSalesflow(['pipeline', 'batch', ...flags, '-w', wh], { env: env() });
      expect(r.code, `${flags.join(' ')}: ${r.stderr}`).toBe(2);
    }
    expect(gcs.listObjectNames(bucket)).toEqual(['landing/day1.csv']);

    gcs.state.putObject({
      bucket,
      name: 'landing/../../../escaped.csv',
      data: Buffer.from(salesCsvText(sampleRows(5, 9))),
    });
    const archive = join(tmp(), 'pb', 'x', 'archive');
    const r = await runSalesflow(
      ['pipeline', 'batch', '-s', `gs://${bucket}/landing`, '--archive', archive, '-w', wh],
      {
        env: env(),
      },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('../../../escaped.csv');
    expect(existsSync(dirname(archive))).toBe(false);
    expect(existsSync(join(tmp(), 'escaped.csv'))).toBe(false);
  });
});

function firstParquet(dir: string): string {
  return join(dir, readdirSync(dir, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.parquet'))!);
}
