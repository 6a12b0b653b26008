/**
 * What the hub's parts announce on the bus (issue 14): the one list of the hub's internal events
 * and their payloads, so `bus.on` / `bus.emit` are checked by the compiler.
 */
import type {
  AlarmDto,
  CommandResult,
  ConfigState,
  EscalationDto,
  GatewayCommandDto,
  GatewayControlDto,
  OpsChangedEvent,
  TelemetryEvent,
} from '@anxin/protocol';
import type { AlarmCareFields } from '../alarms/rows.js';
import { EventBus, type EventBusDeps } from './bus.js';

/** Who stored or changed a batch of alarms. */
export type AlarmSource = 'ingest' | 'rules' | 'liveness';

/** Why one alarm changed outside ingest. */
export type AlarmUpdateCause =
  /** Acknowledged or resolved by an operator (REST). */
  | 'handled'
  /** A responder said "I am going there" (care routes). */
  | 'responders'
  /** Its escalation was accepted (engine routes). */
  | 'escalation'
  /** Service requests, welfare checks and work orders (operations). */
  | 'operations';

export interface HubEvents {
  /**
   * Alarms raised (`created`) or joined/reopened (`updated`), already durable. `careFields`: the
   * residentId and responders of those alarms whose writer knew them (consoles' pushes use them
   * instead of reading them back); the DTOs themselves stay as stored (webhooks carry them).
   */
  'alarms:changed': {
    created: AlarmDto[];
    updated: AlarmDto[];
    source: AlarmSource;
    careFields?: ReadonlyMap<string, AlarmCareFields>;
  };
  /** One alarm acknowledged, resolved, responded to or accepted. */
  'alarm:updated': { alarm: AlarmDto; cause: AlarmUpdateCause };
  /** An escalation moved a step; `userIds` are the contacts with a login who are told too. */
  'escalation:changed': { escalation: EscalationDto; userIds: string[] };
  /** Telemetry made durable by ingest (the rules judge it). */
  'telemetry:stored': { gatewayId: string; events: TelemetryEvent[] };
  /** A gateway answered a command. */
  'gateway:command-result': { gatewayId: string; result: CommandResult };
  /** A gateway reported which configuration version it runs. */
  'gateway:config-state': { gatewayId: string; state: ConfigState };
  /** A gateway's heartbeat, now stored, reported its own test flag changed (on, off, window over). */
  'gateway:test-mode-reported': { gatewayId: string };
  /** A new configuration version was published (retained) for a gateway. */
  'gateway:config-published': { gatewayId: string };
  /** A command to a gateway was sent, answered or timed out (its home's installers see it). */
  'gateway:command-changed': { homeId: string; command: GatewayCommandDto };
  /** A gateway's configuration state changed: reported, or a new version waits to apply. */
  'gateway:control-changed': { homeId: string; control: GatewayControlDto };
  /**
   * A service request, welfare check or plan, or work order changed and committed (issue 13);
   * `homeId` and `residentId` say who may see it (not sent to consoles).
   */
  'operations:changed': OpsChangedEvent & { homeId: string | null; residentId: string | null };
  /** The broker refused a gateway's login. */
  'gateway:login-refused': { gatewayId: string; reason: string };
}

export type HubBus = EventBus<HubEvents>;

export function createHubBus(deps: EventBusDeps): HubBus {
  return new EventBus<HubEvents>(deps);
}
