export { LibraryService, MAX_TIMELINE_PAGE, type LibraryView, type TimelinePage } from './library.service.js';
export { LibraryNotFoundError, LibraryExistsError, NestedLibraryError } from './library.errors.js';
export { PhotoFeed, PHOTOS_RUN_JOB, type PhotoTiming } from './photos.feed.js';
export { PhotoJobs, type PhotoRunReport } from './photos.jobs.js';
export { PhotoImporter, numbered } from './photo-import.js';
export { InProgress, isTemporaryName } from './in-progress.js';
