/** Content types for the files this project writes; GCS serves them back as given. */
import { extname } from 'node:path';

const TYPES: Record<string, string> = {
  '.parquet': 'application/vnd.apache.parquet',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.json': 'application/json',
  '.ndjson': 'application/x-ndjson',
  '.jsonl': 'application/x-ndjson',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.gz': 'application/gzip',
  '.zst': 'application/zstd',
  '.arrow': 'application/vnd.apache.arrow.file',
  '.avro': 'application/avro',
  '.html': 'text/html',
};

export function contentTypeFor(name: string): string {
  return TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}
