export * from './common/hex.js';
export * from './common/stats.js';
export * from './driver.js';
export * from './registry.js';
export * from './simulators.js';
export * as mr60fda1Codec from './mr60fda1/codec.js';
export * from './mr60fda1/descriptor.js';
export * from './mr60fda1/simulator.js';
export * from './simulate/index.js';
