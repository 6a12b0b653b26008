export * from './pty.js';
export * from './serial.js';
export * from './tcp.js';
