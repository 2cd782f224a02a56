/** Split a `multipart/related` body (GCS multipart uploads: JSON metadata part + media part). */

export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

export function parseMultipartRelated(contentType: string, body: Buffer): Part[] {
  const m = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!m) throw new Error('multipart body without a boundary');
  const delimiter = Buffer.from(`--${m[1]}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    let start = pos + delimiter.length;
    // "--" right after a delimiter closes the body.
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break;
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // The CRLF before the next delimiter belongs to the delimiter, not the part.
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    const headerEnd = body.indexOf('\r\n\r\n', start);
    const headers: Record<string, string> = {};
    let bodyStart = start;
    if (headerEnd >= 0 && headerEnd < end) {
      for (const line of body.subarray(start, headerEnd).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      bodyStart = headerEnd + 4;
    }
    parts.push({ headers, body: body.subarray(bodyStart, end) });
    pos = next;
  }
  return parts;
}
