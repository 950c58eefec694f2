export { MediaService, type MediaServiceOptions } from './media.service.js';
export { MediaJobs, MEDIA_INDEX_JOB } from './media.jobs.js';
export { Thumbnailer, NoThumbnail, type ThumbnailLimits } from './thumbnailer.js';
export { detectTools, type MediaTool } from './tools.js';
export { formatOf } from './media-types.js';
