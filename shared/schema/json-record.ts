/**
 * One sales record as JSON text (an NDJSON line, a Pub/Sub message's data):
 * bytes → UTF-8 → JSON → the RecordValidator. Every JSON path goes through it,
 * so a line in a file and a message on a topic with the same bytes get the same
 * verdict and the same reason.
 */
import type { SalesRecord } from './record.ts';
import { formatFieldErrors, type RecordValidator } from './validate.ts';
import { strictUtf8Decoder } from '../utf8.ts';
import { repeatedKey } from '../json-repeated-key.ts';
import { quoteForMessage } from '../format.ts';

export type JsonRecordVerdict =
  | { ok: true; record: SalesRecord; text: string }
  /** `text` is undefined when the bytes are not UTF-8 (the caller keeps the bytes as it sees fit). */
  | { ok: false; text: string | undefined; reason: string };

const UTF8 = strictUtf8Decoder();

export function judgeJsonRecord(bytes: Uint8Array, validator: RecordValidator): JsonRecordVerdict {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { ok: false, text: undefined, reason: 'row is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text, exactNumbers);
  } catch (err) {
    return { ok: false, text, reason: `row is not valid JSON (${(err as Error).message})` };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const repeated = repeatedKey(text);
    if (repeated !== undefined) {
      return { ok: false, text, reason: `row has the field ${quoteForMessage(repeated)} twice (each field once)` };
    }
  }
  const result = validator.validateObject(value);
  return result.ok
    ? { ok: true, record: result.record, text }
    : { ok: false, text, reason: formatFieldErrors(result.errors) };
}

/**
 * JSON.parse reviver keeping numbers as their source text, so the validator
 * judges `12.50`, `1e3` or a 19-digit id exactly as it judges the same CSV field
 * (JSON.parse alone would turn 9007199254740993 into …992).
 */
function exactNumbers(_key: string, value: unknown, context?: { source?: string }): unknown {
  return typeof value === 'number' && context?.source !== undefined ? context.source : value;
}
