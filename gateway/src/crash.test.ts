/**
 * The gateway process killed with SIGKILL in the middle of a burst (issue 4's first fault): every
 * event whose `ingest` had returned must reach the hub after a restart on the same dataDir, with
 * the same id and seq, and no seq is ever reused. The child runs the built gateway (dist/), as
 * `anxin gateway` would; the test scripts build before running tests (scripts/test.sh).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway } from './gateway.js';
import { startBroker } from './test-support/broker.js';
import { FakeHub } from './test-support/fake-hub.js';
import { silentLogger, tempDir, testConfig, waitFor } from './test-support/util.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtEntry = join(packageDir, 'dist', 'index.js');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The child: a gateway that records a burst (1 alarm in 10) and prints each seq once durable. */
const CHILD = `
import pino from 'pino';
import { validateConfig } from '@anxin/protocol';
const { createGateway, GatewayConfigSchema } = await import(process.env.GW_ENTRY);
const config = validateConfig(GatewayConfigSchema, JSON.parse(process.env.GW_CONFIG), 'child');
const gateway = createGateway(config, { logger: pino({ level: 'silent' }) });
await gateway.start();
let i = 0;
const tick = () => {
  let out = '';
  for (let k = 0; k < 25; k += 1, i += 1) {
    const event = i % 10 === 0
      ? gateway.ingest('radar1', { type: 'alarm', kind: 'sos', action: 'raise', detail: { n: i } })
      : gateway.ingest('meter1', { type: 'telemetry', fields: { energy_kwh: i } });
    out += event.type[0] + ' ' + event.seq + ' ' + event.id + '\\n';
  }
  process.stdout.write(out, () => setTimeout(tick, 5));
};
tick();
`;

describe('gateway killed with SIGKILL mid-burst', () => {
  it('loses nothing it had accepted and reuses no seq after the restart', async () => {
    expect(
      existsSync(builtEntry),
      `build the gateway first: npx tsc -b gateway (${builtEntry})`,
    ).toBe(true);
    const broker = await startBroker();
    cleanups.push(() => broker.stop());
    const hub = await FakeHub.connect(broker.url);
    cleanups.push(() => hub.close());
    // A hub that never acks telemetry, so that most of the burst is accepted but undelivered when
    // the process dies: the gateway holds at most its telemetry window (2 batches of 100) in
    // flight, whatever the machine's load (a slow-but-acking hub let a fast machine deliver all).
    hub.policy.telemetry = { mode: 'ignore' };
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const input = {
      gatewayId: 'gw-crash',
      dataDir: dir.path,
      hub: { url: broker.url },
      reconnect: { minMs: 50, maxMs: 200 },
      outbox: { ackTimeoutMs: 1000, batchSize: 100 },
      devices: [
        { id: 'radar1', driver: 'none' },
        { id: 'meter1', driver: 'none' },
      ],
    };

    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: packageDir,
      env: {
        ...process.env,
        GW_ENTRY: pathToFileURL(builtEntry).href,
        GW_CONFIG: JSON.stringify(input),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    await waitFor(
      () => stdout.split('\n').length > 3000 || child.exitCode !== null,
      'burst under way',
      20_000,
    );
    expect(stderr).toBe('');
    await waitFor(() => hub.received.length > 0, 'some delivered before the kill', 5000);
    child.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null
        ? resolve()
        : child.once('exit', () => resolve()),
    );

    // Only complete lines: a line is written after ingest returned, i.e. after the commit.
    const accepted = stdout
      .split('\n')
      .slice(0, -1)
      .map((line) => line.split(' '))
      .map(([type, seq, id]) => ({
        lane: type === 'a' ? 'alarm' : 'telemetry',
        seq: Number(seq),
        id: id ?? '',
      }));
    expect(accepted.length).toBeGreaterThanOrEqual(3000);
    const deliveredBefore = new Set(hub.received.map((r) => r.event.seq));
    expect(deliveredBefore.size).toBeLessThan(accepted.length);

    hub.policy.telemetry = { mode: 'ack' };
    const gateway = createGateway(testConfig(input), { logger: silentLogger() });
    cleanups.push(() => gateway.stop());
    await gateway.start();
    const pending = new Set(accepted.map((e) => e.seq));
    let seen = 0;
    await waitFor(
      () => {
        for (; seen < hub.received.length; seen += 1) pending.delete(hub.received[seen]!.event.seq);
        return pending.size === 0;
      },
      'every accepted event at the hub',
      20_000,
    );
    const byId = new Map(hub.received.map((r) => [r.event.seq, r.event.id]));
    for (const e of accepted) expect(byId.get(e.seq)).toBe(e.id);
    // A seq always carries the same event, across both lives of the gateway.
    const idsPerSeq = new Map<number, Set<string>>();
    for (const r of hub.received)
      idsPerSeq.set(r.event.seq, (idsPerSeq.get(r.event.seq) ?? new Set()).add(r.event.id));
    expect([...idsPerSeq.values()].every((ids) => ids.size === 1)).toBe(true);
    for (const lane of ['alarm', 'telemetry'] as const) {
      const seqs = hub.distinctSeqs(lane);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    const next = gateway.ingest('meter1', { type: 'telemetry', fields: { energy_kwh: 1 } });
    expect(next.seq).toBeGreaterThan(Math.max(...hub.received.map((r) => r.event.seq)));
    await waitFor(
      () => gateway.health().outbox.alarmDepth + gateway.health().outbox.telemetryDepth === 0,
      'drained',
    );
  });
});
