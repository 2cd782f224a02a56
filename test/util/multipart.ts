/**
 * Split a `multipart/related` body (GCS multipart uploads and BigQuery
 * multipart load jobs: a JSON metadata part + a media part). Tolerates what real clients send: CRLF (Node client) or bare LF
 * line ends and a quoted or single-quoted boundary (gcloud's Python MIME writer).
 */

export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

export function parseMultipartRelated(contentType: string, body: Buffer): Part[] {
  const m = /boundary=(?:"([^"]+)"|'([^']+)'|([^;\s]+))/i.exec(contentType);
  if (!m) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${m[1] ?? m[2] ?? m[3]}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  // One line-break style per body, taken from the first delimiter line: stripping "\r\n"
  // from an LF body would eat a payload that happens to end in "\r" (gcloud found this).
  const crlf = pos >= 0 && body[pos + delimiter.length] === 0x0d;
  while (pos >= 0) {
    let start = pos + delimiter.length;
    // "--" right after a delimiter closes the body.
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (crlf && body[start] === 0x0d) start++;
    if (body[start] === 0x0a) start++;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // The line break before the next delimiter belongs to the delimiter, not the part.
    let end = next;
    if (body[end - 1] === 0x0a) end--;
    if (crlf && body[end - 1] === 0x0d) end--;
    const headerEnd = crlf
      ? { at: body.indexOf('\r\n\r\n', start), len: 4 }
      : { at: body.indexOf('\n\n', start), len: 2 };
    const headers: Record<string, string> = {};
    let bodyStart = start;
    if (headerEnd.at >= 0 && headerEnd.at < end) {
      for (const line of body.subarray(start, headerEnd.at).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      bodyStart = headerEnd.at + headerEnd.len;
    }
    parts.push({ headers, body: body.subarray(bodyStart, end) });
    pos = next;
  }
  return parts;
}
