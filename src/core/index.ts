export * from './errors.js';
export * from './names.js';
export * from './path.js';
export * from './types.js';
