import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEVICE_ALARM_KINDS, isKnownTelemetryField } from '@anxin/protocol';
import { describe, expect, it } from 'vitest';
import type { DriverDescriptor } from './driver.js';
import { DRIVERS, findDriver } from './registry.js';

const here = dirname(fileURLToPath(import.meta.url));
const driverFolders = readdirSync(here, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(here, e.name, 'descriptor.ts')))
  .map((e) => e.name);

function isDescriptor(v: unknown): v is DriverDescriptor {
  return (
    typeof v === 'object' && v !== null && 'id' in v && 'createSession' in v && 'transport' in v
  );
}

describe('driver registry', () => {
  it('has drivers', () => {
    expect(driverFolders.length).toBeGreaterThan(0);
    expect(DRIVERS.length).toBeGreaterThan(0);
  });

  it.each(driverFolders)(
    'every descriptor exported by %s/descriptor.ts is registered',
    async (folder) => {
      const mod = (await import(`./${folder}/descriptor.ts`)) as Record<string, unknown>;
      const descriptors = Object.values(mod).filter(isDescriptor);
      expect(
        descriptors.length,
        `${folder}/descriptor.ts exports no DriverDescriptor`,
      ).toBeGreaterThan(0);
      // Compared by identity but reported by id (descriptors have an `inspect` method, which test
      // reporters would call to print them).
      for (const d of descriptors)
        expect(DRIVERS.includes(d), `${d.id} is not in DRIVERS`).toBe(true);
    },
  );

  it('ids are unique, lower-case and findable', () => {
    const ids = DRIVERS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of DRIVERS) {
      expect(d.id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      expect(findDriver(d.id)).toBe(d);
    }
  });

  it.each(DRIVERS.map((d) => [d.id, d] as const))('%s is well-formed', (_id, d) => {
    expect(d.name.length).toBeGreaterThan(0);
    expect(d.reference.length).toBeGreaterThan(0);
    expect(d.models.length).toBeGreaterThan(0);
    for (const field of d.telemetry)
      expect(isKnownTelemetryField(field), `telemetry ${field}`).toBe(true);
    for (const kind of d.alarms) expect(DEVICE_ALARM_KINDS, `alarm ${kind}`).toContain(kind);
    expect(d.telemetry.length + d.alarms.length).toBeGreaterThan(0);
    if (d.transport === 'serial') {
      expect(d.serial).toBeDefined();
      expect(d.serial?.baudRate).toBeGreaterThan(0);
    }
    const session = d.createSession({ deviceId: 'registry-test', options: {} });
    if (d.transport === 'mqtt') expect(session.mode).toBe('mqtt');
    else expect(['stream', 'poll']).toContain(session.mode);
    expect(session.stats()).toEqual({ framesOk: 0, decodeErrors: 0, rejectReasons: {} });
    if (d.inspect) {
      for (const bytes of [new Uint8Array(0), Uint8Array.of(0xff, 0x00, 0x13)]) {
        const r = d.inspect(bytes, {});
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.code).toMatch(/^[A-Z_]+$/);
          expect(r.reason.length).toBeGreaterThan(0);
        }
      }
    }
  });
});
