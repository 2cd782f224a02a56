/**
 * UTF-8 decoding of data values and lines. A WHATWG TextDecoder drops a
 * leading U+FEFF from every string it decodes unless told not to; a data
 * reader decodes one line or one value at a time, so the default would
 * silently strip a BOM-like character from the middle of a file and change
 * the value (while DuckDB and BigQuery keep it). A byte-order mark means
 * something only at the start of a file: readers skip it there
 * (`skipByteOrderMark`) and decode everything else with these, which keep it.
 */

/** Throws a TypeError on malformed UTF-8. */
export function strictUtf8Decoder(): TextDecoder {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
}

/** Replaces malformed sequences with U+FFFD (for messages and quarantined raw rows). */
export function lossyUtf8Decoder(): TextDecoder {
  return new TextDecoder('utf-8', { ignoreBOM: true });
}

/** Offset of the first byte after a UTF-8 byte-order mark at the start of `bytes` (0 without one). */
export function skipByteOrderMark(bytes: Uint8Array): number {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}
