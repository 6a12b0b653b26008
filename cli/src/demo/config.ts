/**
 * `anxin demo` configuration: how many simulated homes, how often they raise alarms, and any hub
 * keys (validated by the hub's own schema, so a wrong hub key is named as `hub.<key>`).
 */
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { HubConfigSchema, type HubConfig } from '@anxin/hub';
import { ConfigError, matchSchemaKeys, validateConfig } from '@anxin/protocol';

export const DEMO_ALARM_EVENTS = ['fall', 'sos', 'leak', 'smoke'] as const;

export const DemoConfigSchema = Type.Object(
  {
    /** Everything the demo writes (hub database, gateway outboxes, control socket). */
    dataDir: Type.String({ minLength: 1, default: '.data/demo' }),
    homes: Type.Integer({ minimum: 1, maximum: 50, default: 3 }),
    alarms: Type.Object(
      {
        /** Mean seconds between random simulated alarms across all homes; 0 turns them off. */
        meanIntervalS: Type.Number({ minimum: 0, default: 240 }),
      },
      { default: {}, additionalProperties: false },
    ),
    /** Hub keys (see config/hub.example.yaml); dataDir defaults to <dataDir>/hub. */
    hub: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  },
  { additionalProperties: false },
);
export type DemoConfig = Static<typeof DemoConfigSchema>;

/** The hub's configuration inside the demo, validated by the hub's schema. */
export function demoHubConfig(demo: DemoConfig, source: string): HubConfig {
  // Keys set through the environment (ANXIN__HUB__HTTP__PORT) arrive spelt as written.
  const hub = matchSchemaKeys(HubConfigSchema, demo.hub) as Record<string, unknown>;
  const input = { dataDir: join(demo.dataDir, 'hub'), ...hub };
  try {
    return validateConfig(HubConfigSchema, input, source);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new ConfigError(
        source,
        err.problems.map((p) => `hub.${p}`),
      );
    }
    throw err;
  }
}
