export { registerApi, API_ROUTES } from './plugin.js';
export type { ApiDependencies, ApiOptions } from './context.js';
