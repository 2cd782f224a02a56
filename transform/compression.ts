/** The Parquet codecs to-parquet offers (kept apart from the encoder so the CLI loads no wasm to parse flags). */
export const COMPRESSIONS = ['zstd', 'snappy', 'none'] as const;
export type CompressionName = (typeof COMPRESSIONS)[number];
