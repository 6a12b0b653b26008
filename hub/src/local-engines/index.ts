/**
 * Local engines for tests and benchmarks (`@anxin/hub/local-engines`): the Debian builds of
 * Mosquitto, PostgreSQL and Redis started as child processes on loopback, each in a temp dir.
 */
export { acceptsConnections, freeLoopbackPort } from './engine-process.js';
export { LocalInfluxd } from './influxd.js';
export { LocalMosquitto } from './mosquitto.js';
export { LocalPostgres } from './postgres.js';
export { LocalRedis } from './redis.js';
