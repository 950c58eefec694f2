export { registerDav } from './plugin.js';
export type { DavDependencies, DavOptions, JunkPolicy } from './context.js';
