/**
 * The guided device test (issue 6): one step per device, each ticked when the real event arrives.
 * Alarm devices (SOS button, fall radar, smoke, gas, leak) pass on a test alarm from that device
 * (homes in test mode raise alarms with test: true, pushed over Socket.IO); sensors pass on a
 * telemetry reading that shows the action (motion seen, door opened and closed, someone on the bed);
 * meters pass on any fresh reading. Pure: the page feeds it alarms and telemetry.
 */
import type {
  AlarmDto,
  CommissioningRecordDto,
  CreateCommissioningRecordRequest,
  DeviceDto,
  DeviceKind,
  TelemetrySeriesDto,
} from '@anxin/protocol';
import type { MessageKey } from '../i18n';

export type StepCheck =
  { by: 'alarm' } | { by: 'telemetry'; fields: readonly string[]; truthy: boolean };

export const STEP_CHECKS: Readonly<Record<DeviceKind, StepCheck>> = {
  sos_button: { by: 'alarm' },
  fall_radar: { by: 'alarm' },
  smoke: { by: 'alarm' },
  gas: { by: 'alarm' },
  water_leak: { by: 'alarm' },
  motion: { by: 'telemetry', fields: ['motion', 'occupancy', 'presence'], truthy: true },
  door: { by: 'telemetry', fields: ['contact_closed'], truthy: false },
  bed: { by: 'telemetry', fields: ['bed_occupied'], truthy: true },
  electricity_meter: { by: 'telemetry', fields: ['energy_kwh', 'power_w'], truthy: false },
  water_meter: { by: 'telemetry', fields: ['water_m3'], truthy: false },
  other: { by: 'telemetry', fields: [], truthy: false },
};

export const STEP_INSTRUCTIONS: Readonly<Record<DeviceKind, MessageKey>> = {
  sos_button: 'test.do.sos_button',
  fall_radar: 'test.do.fall_radar',
  smoke: 'test.do.smoke',
  gas: 'test.do.gas',
  water_leak: 'test.do.water_leak',
  motion: 'test.do.motion',
  door: 'test.do.door',
  bed: 'test.do.bed',
  electricity_meter: 'test.do.electricity_meter',
  water_meter: 'test.do.water_meter',
  other: 'test.do.other',
};

export interface StepResult {
  /** Epoch ms of the event that passed the step. */
  at: number;
  /** What arrived, e.g. "test alarm sos" or "motion=true". */
  evidence: string;
}

export interface TestRun {
  startedAt: number;
  startedBy: string;
  /** Key: `${gatewayId}/${deviceId}`. */
  passed: Record<string, StepResult & { by: string }>;
  finishedAt: number | null;
  finishedBy: string | null;
}

export const deviceKey = (device: Pick<DeviceDto, 'gatewayId' | 'id'>): string =>
  `${device.gatewayId}/${device.id}`;

/** The event that passes this device's step since `since` (epoch ms), or null. */
export function findPassingEvent(
  device: DeviceDto,
  since: number,
  alarms: readonly AlarmDto[],
  series: readonly TelemetrySeriesDto[],
): StepResult | null {
  const check = STEP_CHECKS[device.kind ?? 'other'];
  if (check.by === 'alarm') {
    const alarm = alarms
      .filter(
        (a) =>
          a.test &&
          a.deviceId === device.id &&
          a.gatewayId === device.gatewayId &&
          Date.parse(a.lastTriggerAt) >= since,
      )
      .sort((a, b) => (a.raisedAt < b.raisedAt ? -1 : 1))[0];
    return alarm
      ? { at: Date.parse(alarm.lastTriggerAt), evidence: `test alarm ${alarm.kind}` }
      : null;
  }
  const fields = check.fields.length > 0 ? check.fields : null;
  let best: StepResult | null = null;
  for (const s of series) {
    if (s.deviceId !== device.id || s.gatewayId !== device.gatewayId) continue;
    if (fields !== null && !fields.includes(s.field)) continue;
    for (const [t, v] of s.points) {
      if (t < since) continue;
      const ok = check.truthy ? v === true || (typeof v === 'number' && v > 0) : true;
      if (check.by === 'telemetry' && s.field === 'contact_closed' && v !== false) continue; // opened
      if (ok && (best === null || t < best.at))
        best = { at: t, evidence: `${s.field}=${String(v)}` };
    }
  }
  return best;
}

/** Ticks every step whose event has arrived; returns the same object when nothing changed. */
export function advanceRun(
  run: TestRun,
  devices: readonly DeviceDto[],
  alarms: readonly AlarmDto[],
  series: readonly TelemetrySeriesDto[],
  by: string,
): TestRun {
  if (run.finishedAt !== null) return run;
  let passed: TestRun['passed'] | null = null;
  for (const device of devices) {
    const key = deviceKey(device);
    if (run.passed[key] !== undefined) continue;
    const result = findPassingEvent(device, run.startedAt, alarms, series);
    if (result !== null) {
      passed ??= { ...run.passed };
      passed[key] = { ...result, by };
    }
  }
  return passed === null ? run : { ...run, passed };
}

const STORAGE_PREFIX = 'anxin.commissioning.';

export function loadRun(homeId: string): TestRun | null {
  try {
    const raw = window.localStorage.getItem(STORAGE_PREFIX + homeId);
    if (raw === null) return null;
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const run = value as Partial<TestRun>;
    if (typeof run.startedAt !== 'number' || typeof run.startedBy !== 'string') return null;
    if (typeof run.passed !== 'object' || run.passed === null) return null;
    return {
      startedAt: run.startedAt,
      startedBy: run.startedBy,
      passed: run.passed,
      finishedAt: typeof run.finishedAt === 'number' ? run.finishedAt : null,
      finishedBy: typeof run.finishedBy === 'string' ? run.finishedBy : null,
    };
  } catch {
    return null;
  }
}

export function saveRun(homeId: string, run: TestRun | null): void {
  try {
    if (run === null) window.localStorage.removeItem(STORAGE_PREFIX + homeId);
    else window.localStorage.setItem(STORAGE_PREFIX + homeId, JSON.stringify(run));
  } catch {
    // Storage disabled: the run lasts for this page only.
  }
}

/** A finished (or abandoned) run as the hub stores it: one step per registered device. */
export function runToRecord(
  run: TestRun,
  devices: readonly DeviceDto[],
): CreateCommissioningRecordRequest {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    startedAt: iso(run.startedAt),
    startedBy: run.startedBy.slice(0, 200),
    finishedAt: run.finishedAt === null ? null : iso(run.finishedAt),
    finishedBy: run.finishedBy?.slice(0, 200) ?? null,
    steps: devices.map((device) => {
      const passed = run.passed[deviceKey(device)];
      return {
        gatewayId: device.gatewayId,
        deviceId: device.id,
        kind: device.kind,
        result: passed ? 'passed' : 'untested',
        at: passed ? iso(passed.at) : null,
        by: passed ? passed.by.slice(0, 200) : null,
        evidence: passed ? passed.evidence.slice(0, 200) : null,
      };
    }),
  };
}

/** A record stored on the hub, read back as a run (for the printable record page). */
export function recordToRun(record: CommissioningRecordDto): TestRun {
  const passed: TestRun['passed'] = {};
  for (const step of record.steps) {
    if (step.result !== 'passed' || step.at === null) continue;
    passed[`${step.gatewayId}/${step.deviceId}`] = {
      at: Date.parse(step.at),
      evidence: step.evidence ?? '',
      by: step.by ?? record.recordedBy.displayName,
    };
  }
  return {
    startedAt: Date.parse(record.startedAt),
    startedBy: record.startedBy ?? record.recordedBy.displayName,
    passed,
    finishedAt: record.finishedAt === null ? null : Date.parse(record.finishedAt),
    finishedBy: record.finishedBy,
  };
}
