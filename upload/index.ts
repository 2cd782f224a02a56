export { COMPLETION_MARKERS, type PlannedFile, planUpload } from './plan.ts';
export { formatSummary } from './report.ts';
export {
  describeFailure,
  type FileResult,
  type FileStatus,
  failureKind,
  forEachLimit,
  type UploadOptions,
  type UploadSummary,
  upload,
} from './upload.ts';
