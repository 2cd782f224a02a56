import { vectorFromArray, Dictionary, Int32, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { LabelCodes, StringCoder } from '../../aggregate/engines/arrow-codes.ts';

/** Labels per row as the arrow engine groups them. */
function labels(values: string[], dictionary: boolean): string[] {
  const vector = dictionary
    ? vectorFromArray(values, new Dictionary(new Utf8(), new Int32()))
    : vectorFromArray(values, new Utf8());
  const coder = new StringCoder(new LabelCodes());
  const out: string[] = [];
  for (const data of vector.data) {
    const codes = new Int32Array(data.length);
    coder.decode(data, codes);
    for (const c of codes) out.push(coder.codes.labels[c]);
  }
  return out;
}

describe('StringCoder', () => {
  // DuckDB keeps a leading U+FEFF in a value; so must the arrow engine, or the two disagree.
  it.each([false, true])('keeps a leading U+FEFF as part of the label (dictionary: %s)', (dictionary) => {
    expect(labels(['\uFEFFToys', 'Toys', '\uFEFFToys'], dictionary)).toEqual(['\uFEFFToys', 'Toys', '\uFEFFToys']);
  });
});
