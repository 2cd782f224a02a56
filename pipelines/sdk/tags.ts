/** Output tags with a meaning to the runner. */
export const MAIN_TAG = 'main';
/** The tag of a step's dead-letter output. */
export const FAILED_TAG = 'failed';
/** The tag of windowIntoWithLate's late-data output. */
export const LATE_TAG = 'late';
