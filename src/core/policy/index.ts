export * from './schema.js';
export * from './decision.js';
export * from './compile.js';
export * from './parse.js';
