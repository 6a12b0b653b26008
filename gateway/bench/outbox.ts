/**
 * Outbox insert throughput per lane (see src/bench/outbox-bench.ts, which is also built to
 * dist/bench/outbox-bench.js for `node`).
 *
 *   npx tsx gateway/bench/outbox.ts [--events N]
 */
import { printOutboxBench, runOutboxBench } from '../src/bench/outbox-bench.js';

const i = process.argv.indexOf('--events');
const events = i >= 0 ? Number(process.argv[i + 1]) : 5000;
printOutboxBench(runOutboxBench(Number.isInteger(events) && events > 0 ? events : 5000));
