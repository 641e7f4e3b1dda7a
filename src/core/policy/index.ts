export * from './schema.js';
export * from './decision.js';
export * from './compile.js';
export * from './parse.js';
export * from './suggest.js';
export * from './check.js';
export * from './replay.js';
