export * from './errors.js';
export * from './http-date.js';
export * from './media-types.js';
export * from './names.js';
export * from './path.js';
export * from './ranges.js';
export * from './redact.js';
export * from './types.js';
