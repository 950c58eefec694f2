export { registerDav } from './plugin.js';
export type { DavDependencies, DavOptions, JunkPolicy } from './context.js';
export { ALLOW as DAV_ALLOW } from './methods/index.js';
