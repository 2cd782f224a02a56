/** Parse a multipart/related body (BigQuery's multipart upload: JSON metadata, then the file). */

export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const m = /boundary="?([^";]+)"?/i.exec(contentType);
  if (m === null) throw new Error(`multipart body without a boundary (content-type ${contentType})`);
  const delimiter = Buffer.from(`--${m[1]}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    let start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // closing delimiter
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    let end = next;
    if (body.subarray(end - 2, end).toString() === '\r\n') end -= 2;
    const chunk = body.subarray(start, end);
    const headerEnd = chunk.indexOf('\r\n\r\n');
    const headerText = headerEnd === -1 ? '' : chunk.subarray(0, headerEnd).toString();
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    parts.push({ headers, body: headerEnd === -1 ? chunk : chunk.subarray(headerEnd + 4) });
    pos = next;
  }
  return parts;
}
