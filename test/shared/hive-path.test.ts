import { describe, expect, it } from 'vitest';
import {
  escapePartitionValue,
  HIVE_DEFAULT_PARTITION,
  partitionPath,
  unescapePartitionValue,
} from '../../shared/hive-path.ts';

describe('hive partition paths', () => {
  it('leaves ordinary values alone (spaces and & included, as Hive does)', () => {
    expect(partitionPath(['sales_region'], ['North'])).toBe('sales_region=North');
    expect(partitionPath(['product_category'], ['Home & Garden'])).toBe('product_category=Home & Garden');
  });

  it('escapes separators, specials and control characters like Hive/Spark', () => {
    expect(escapePartitionValue('a/b')).toBe('a%2Fb');
    expect(escapePartitionValue('a\\b')).toBe('a%5Cb');
    expect(escapePartitionValue('x=1:2%')).toBe('x%3D1%3A2%25');
    expect(escapePartitionValue('nul\u0000tab\t')).toBe('nul%00tab%09');
    expect(escapePartitionValue('?*[]^{#\'"')).toBe('%3F%2A%5B%5D%5E%7B%23%27%22');
  });

  it('maps empty to __HIVE_DEFAULT_PARTITION__', () => {
    expect(escapePartitionValue('')).toBe(HIVE_DEFAULT_PARTITION);
    expect(unescapePartitionValue(HIVE_DEFAULT_PARTITION)).toBe('');
  });

  it('never produces a path segment that leaves the output folder', () => {
    for (const evil of ['..', '../x', '../../etc/passwd', '/abs', '.', 'a/../../b', '\u0000', '']) {
      const path = partitionPath(['sales_region', 'product_category'], [evil, evil]);
      const segments = path.split('/');
      expect(segments).toHaveLength(2);
      for (const s of segments) {
        expect(s).not.toBe('..');
        expect(s).not.toBe('.');
        expect(s).toMatch(/^(sales_region|product_category)=/);
        expect(s).not.toContain('\u0000');
      }
    }
  });

  it('round-trips through unescape', () => {
    for (const v of ['North', 'a/b', '100%', 'x=y', 'tab\there', 'Ünïcode €']) {
      expect(unescapePartitionValue(escapePartitionValue(v))).toBe(v);
    }
  });
});
