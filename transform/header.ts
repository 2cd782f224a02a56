/** Split the header line off the first chunk of a CSV file and check it against the schema. */
import { InputError } from '../shared/errors.ts';
import { checkHeader } from '../shared/schema/index.ts';
import { splitCsvLine } from './row-parser.ts';

/**
 * Check the header at the start of `chunk`; returns the offset of the first data
 * byte. Throws an InputError naming the file and what is missing, extra or
 * misordered.
 */
export function consumeHeader(chunk: Uint8Array, file: string): number {
  let nl = chunk.indexOf(0x0a);
  const next = nl < 0 ? chunk.length : nl + 1;
  if (nl < 0) nl = chunk.length;
  let end = nl;
  if (end > 0 && chunk[end - 1] === 0x0d) end--;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(chunk.subarray(0, end));
  } catch {
    throw new InputError(`the header line is not valid UTF-8`, { file, line: 1 });
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    throw new InputError(`no header line (the file is empty or starts with a blank line)`, { file, line: 1 });
  }
  const fields = splitCsvLine(text);
  if (typeof fields === 'string') throw new InputError(`header ${fields}`, { file, line: 1 });
  const problem = checkHeader(fields);
  if (problem) throw new InputError(problem.message, { file, line: 1 });
  return next;
}

/** An empty input is an error too: a CSV without even a header is not a sales file. */
export function emptyFileError(file: string): InputError {
  return new InputError('no header line (the file is empty)', { file, line: 1 });
}
