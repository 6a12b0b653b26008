/**
 * `engine` section of the hub config: rule defaults (overridable per home) and how often
 * time-based rules are judged.
 */
import { Type, type Static } from '@sinclair/typebox';
import { RuleSettingsSchema } from './settings.js';

export const EngineConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    /** Rule thresholds and schedules used where a home has no override. */
    defaults: RuleSettingsSchema,
    /** How often silence-based rules (inactivity, bed exit, flat meter, silent device) run. */
    tickIntervalMs: Type.Integer({ minimum: 100, default: 30_000 }),
    /**
     * After a hub start, silence-based rules wait this long: gateways replay what they held while
     * the hub was down, and a restart must not alarm every quiet home.
     */
    startupGraceS: Type.Number({ minimum: 0, default: 120 }),
    /** A gateway not heard for this long is gateway_offline's business, not device silence. */
    gatewayFreshS: Type.Number({ exclusiveMinimum: 0, default: 120 }),
    /** Telemetry batches waiting for the rules; beyond it batches are skipped (counted). */
    queueMaxBatches: Type.Integer({ minimum: 1, default: 20_000 }),
    /** Rule state is written at least this often (and at once whenever a rule fires). */
    stateFlushIntervalMs: Type.Integer({ minimum: 100, default: 5000 }),
    /** Events observed longer ago than this do not raise "right now" alarms (door, battery…). */
    maxLateMinutes: Type.Number({ exclusiveMinimum: 0, default: 720 }),
  },
  { default: {}, additionalProperties: false },
);
export type EngineConfig = Static<typeof EngineConfigSchema>;
