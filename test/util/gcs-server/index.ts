export { type Checksums, checksumsOf } from './checksums.ts';
export {
  type GcsFaults,
  type GcsServer,
  type GcsServerOptions,
  type GcsServerStats,
  startGcsServer,
} from './server.ts';
export { GcsApiError, GcsState, type ObjectRecord } from './state.ts';
