export { registerNextcloud, type NextcloudDependencies } from './plugin.js';
