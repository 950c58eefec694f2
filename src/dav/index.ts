export { registerDav, registerDavMount } from './plugin.js';
export type { DavDependencies, DavOptions, JunkPolicy, DavContext, DavMethod, DavMount } from './context.js';
export { ALLOW as DAV_ALLOW } from './methods/index.js';
// For surfaces built on this one (nextcloud/): request helpers, the status table, XML writing.
export { acceptBody, header, singleHeader, hrefOf } from './context.js';
export { DavError, failureOf } from './status.js';
export { decodeDavPath, encodeHref, parseDestinationHeader } from './paths.js';
export { acceptMtime, requestedMtime } from './mtime.js';
export { httpDate, ocFileId } from './properties/live.js';
export { multistatusClose, multistatusOpen, responseXml, type PropStat } from './xml/index.js';
