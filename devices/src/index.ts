export * from './driver.js';
export * from './registry.js';
