/**
 * Who listens to what (issue 14): the subscriptions that used to be closures copied into hub.ts
 * wherever an alarm changed. One place to read "what happens after an alarm is stored": it is
 * pushed to consoles, arms its escalation, and goes out as webhooks / work orders — in that order,
 * whichever part stored it.
 */
import type { CareModule } from '../care/module.js';
import type { GatewayControl } from '../control/service.js';
import type { AlarmEngineModule } from '../engine/module.js';
import type { OperationsModule } from '../operations/module.js';
import type { Realtime } from '../realtime/realtime.js';
import type { HubBus } from './hub-events.js';

export interface WiredParts {
  realtime: Realtime;
  alarmEngine: AlarmEngineModule;
  operations: OperationsModule;
  gatewayControl: GatewayControl;
  care: CareModule;
}

export function wireHubEvents(bus: HubBus, p: WiredParts): void {
  // Consoles first: the operator's queue is what the latency figures measure.
  bus.on('alarms:changed', 'realtime', ({ created, updated, careFields }) =>
    p.realtime.alarmsChanged(created, updated, careFields),
  );
  // The rules arm their own alarms' escalation before announcing them.
  bus.on('alarms:changed', 'escalation', ({ created, updated, source }) => {
    if (source !== 'rules') p.alarmEngine.onAlarmChanges(created, updated);
  });
  bus.on('alarms:changed', 'operations', ({ created, updated }) =>
    p.operations.alarmsChanged(created, updated),
  );

  bus.on('alarm:updated', 'realtime', ({ alarm }) => p.realtime.alarmUpdated(alarm));
  bus.on('alarm:updated', 'operations', ({ alarm, cause }) => {
    if (cause === 'handled') p.operations.alarmHandled(alarm);
  });
  // A family contact's "I am going there" accepts the escalation (stops the chain).
  bus.on('alarm:updated', 'escalation', ({ alarm, cause }) => {
    if (cause === 'responders') p.alarmEngine.onResponders(alarm);
  });

  bus.on('escalation:changed', 'realtime', ({ escalation, userIds }) =>
    p.realtime.escalation(escalation, userIds),
  );

  bus.on('telemetry:stored', 'rules', ({ gatewayId, events }) =>
    p.alarmEngine.onTelemetry(gatewayId, events),
  );
  bus.on('gateway:command-result', 'control', ({ gatewayId, result }) =>
    p.gatewayControl.onResult(gatewayId, result),
  );
  bus.on('gateway:config-state', 'control', ({ gatewayId, state }) =>
    p.gatewayControl.onConfigState(gatewayId, state),
  );
  // Installers see "waiting to apply N" at once (issue 10).
  bus.on('gateway:config-published', 'control', ({ gatewayId }) =>
    p.gatewayControl.configPublished(gatewayId),
  );
  // The installer's "gateway in test mode until HH:MM" comes and goes with the gateway's flag.
  bus.on('gateway:test-mode-reported', 'control', ({ gatewayId }) =>
    p.gatewayControl.testModeReported(gatewayId),
  );
  // The installer's page shows commands and configuration state live (issue 10).
  bus.on('gateway:command-changed', 'realtime', ({ homeId, command }) =>
    p.realtime.gatewayControl(homeId, { event: 'gateway:command', payload: command }),
  );
  bus.on('gateway:control-changed', 'realtime', ({ homeId, control }) =>
    p.realtime.gatewayControl(homeId, { event: 'gateway:control', payload: control }),
  );
  // Operations lists refetch when a record they show changed (issue 13).
  bus.on('operations:changed', 'realtime', (change) => p.realtime.operationsChanged(change));
  bus.on('gateway:login-refused', 'audit', ({ gatewayId, reason }) =>
    p.care.gatewayLoginRefused(gatewayId, reason),
  );
}
