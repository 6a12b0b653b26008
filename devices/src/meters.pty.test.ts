/**
 * The three meter sessions polled over a real pseudo-terminal pair, one request at a time as the
 * gateway's bus master does, against simulators sharing the other end: the OS decides the
 * chunking, the sessions must cope.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import type { DeviceReading, PollSession, SimulatedDevice } from './driver.js';
import { Cjt188Simulator } from './cjt188/simulator.js';
import { createCjt188Session } from './cjt188/descriptor.js';
import { Dlt645Simulator } from './dlt645/simulator.js';
import { createDlt645Session } from './dlt645/descriptor.js';
import { SdmSimulator } from './modbus-sdm/simulator.js';
import { createSdmSession } from './modbus-sdm/descriptor.js';
import { createPtyPair, type PtyPair } from './simulate/pty.js';

function open(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const p: SerialPort = new SerialPort({ path, baudRate: 9600, lock: false }, (err) =>
      err ? reject(err) : resolve(p),
    );
  });
}

/** One poll cycle of one session: write, feed replies until done or timeout. */
async function pollCycle(port: SerialPort, session: PollSession) {
  const readings: DeviceReading[] = [];
  let timeouts = 0;
  for (const req of session.nextPoll()) {
    const done = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), req.timeoutMs);
      const onData = (chunk: Buffer) => {
        const r = session.push(new Uint8Array(chunk));
        readings.push(...r.readings);
        if (r.done) finish(true);
      };
      function finish(ok: boolean) {
        clearTimeout(timer);
        port.off('data', onData);
        resolve(ok);
      }
      port.on('data', onData);
      port.write(Buffer.from(req.bytes));
    });
    if (!done) {
      session.timeout();
      timeouts += 1;
    }
  }
  const fields = Object.assign(
    {},
    ...readings.map((r) => (r.type === 'telemetry' ? r.fields : {})),
  ) as Record<string, number>;
  return { fields, timeouts };
}

describe('meter sessions over a real PTY bus', () => {
  let pair: PtyPair | undefined;
  const ports: SerialPort[] = [];
  afterEach(async () => {
    for (const p of ports.splice(0))
      await new Promise<void>((r) => (p.isOpen ? p.close(() => r()) : r()));
    await pair?.close();
    pair = undefined;
  });

  it('polls a DL/T 645 meter, a water meter and an SDM meter sharing one line', async () => {
    pair = await createPtyPair();
    const bus = await open(pair.a);
    const gw = await open(pair.b);
    ports.push(bus, gw);
    const meters: SimulatedDevice[] = [
      new Dlt645Simulator({ address: '000000000001', energyKwh: 321.5 }),
      new Dlt645Simulator({ address: '000000000002', energyKwh: 99 }),
      new Cjt188Simulator({ address: '78331505104145', volumeM3: 12.34 }),
      new SdmSimulator({ unitId: 2, importKwh: 4321 }),
    ];
    bus.on('data', (chunk: Buffer) => {
      for (const m of meters) m.receive(new Uint8Array(chunk));
    });
    for (const m of meters) m.onTransmit((b) => bus.write(Buffer.from(b)));

    const e1 = await pollCycle(
      gw,
      createDlt645Session({
        deviceId: 'e1',
        options: { address: '000000000001', replyTimeoutMs: 500 },
      }),
    );
    const e2 = await pollCycle(
      gw,
      createDlt645Session({
        deviceId: 'e2',
        options: { address: '000000000002', items: ['00010000'] },
      }),
    );
    const w = await pollCycle(
      gw,
      createCjt188Session({ deviceId: 'w', options: { address: '78331505104145' } }),
    );
    const sdm = await pollCycle(gw, createSdmSession({ deviceId: 's', options: { unitId: 2 } }));
    expect([e1.timeouts, e2.timeouts, w.timeouts, sdm.timeouts]).toEqual([0, 0, 0, 0]);
    expect(e1.fields['energy_kwh']).toBeCloseTo(321.5, 1);
    expect(Object.keys(e1.fields).sort()).toEqual([
      'current_a',
      'energy_export_kwh',
      'energy_kwh',
      'frequency_hz',
      'power_factor',
      'power_w',
      'voltage_v',
    ]);
    expect(e2.fields['energy_kwh']).toBeCloseTo(99, 1);
    expect(w.fields['water_m3']).toBeCloseTo(12.34, 2);
    expect(sdm.fields['energy_kwh']).toBeCloseTo(4321, 1);
    expect(sdm.fields['frequency_hz']).toBe(50.01);
  });

  it('block-reads a three-phase DL/T 645 meter beside a single-phase one', async () => {
    pair = await createPtyPair();
    const bus = await open(pair.a);
    const gw = await open(pair.b);
    ports.push(bus, gw);
    const meters: SimulatedDevice[] = [
      new Dlt645Simulator({ address: '000000000031', energyKwh: 2000, phases: 3 }),
      new Dlt645Simulator({ address: '000000000011', energyKwh: 500 }),
    ];
    bus.on('data', (chunk: Buffer) => {
      for (const m of meters) m.receive(new Uint8Array(chunk));
    });
    for (const m of meters) m.onTransmit((b) => bus.write(Buffer.from(b)));
    const three = await pollCycle(
      gw,
      createDlt645Session({ deviceId: 'e3', options: { address: '000000000031', phases: 3 } }),
    );
    const one = await pollCycle(
      gw,
      createDlt645Session({
        deviceId: 'e1',
        options: { address: '000000000011', items: '0201FF00,0202FF00' },
      }),
    );
    expect([three.timeouts, one.timeouts]).toEqual([0, 0]);
    expect(three.fields['energy_kwh']).toBeCloseTo(2000, 1);
    for (const f of ['voltage_b_v', 'voltage_c_v', 'current_b_a', 'current_c_a', 'energy_t4_kwh'])
      expect(three.fields[f], f).toBeGreaterThan(0);
    // The single-phase meter fills B and C with FF: only phase A comes out.
    expect(Object.keys(one.fields).sort()).toEqual(['current_a', 'voltage_v']);
  });
});
