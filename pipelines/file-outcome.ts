/** What happened to one file a loader (pipeline batch, pipeline dims) took: the report's row and the load log's counts. */
import type { LoadStatus } from '../warehouse/load-log.ts';

export interface FileOutcome {
  key: string;
  uri: string;
  /** `waiting`: left for a later run (changed while being read, or too recent); not logged. */
  status: LoadStatus | 'waiting';
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  rowsDuplicate: number;
  /** Why the file was rejected. */
  error?: string;
  /** True when a previous run had already loaded (or rejected) this version of the file. */
  alreadyDone: boolean;
  /** What happened to the source file afterwards (set by the dispose step). */
  disposition?: string;
  seconds: number;
}
