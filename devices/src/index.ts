export * from './common/hex.js';
export * from './common/stats.js';
export * from './driver.js';
export * from './registry.js';
