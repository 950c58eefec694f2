export { configSchema, type Config, type ConfigInput } from './schema.js';
export { loadConfig, databaseUrlOf, ConfigError, type ConfigSources } from './load.js';
export { readVersion } from './version.js';
