/**
 * The shipped configuration files and docker-compose.yml stay correct: every file in config/
 * validates against the schema of the command that reads it, and the compose file parses and
 * points at files that exist (no Docker engine runs in CI, so this is its check).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayConfigSchema } from '@anxin/gateway';
import { HubConfigSchema } from '@anxin/hub';
import { readConfigFile, validateConfig } from '@anxin/protocol';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DemoConfigSchema, demoHubConfig } from '../cli/src/demo/config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const configDir = join(root, 'config');

describe('config/ files', () => {
  const files = readdirSync(configDir).filter((f) => f.endsWith('.yaml'));

  it('has the examples the README points to', () => {
    expect(files).toEqual(
      expect.arrayContaining(['demo.yaml', 'hub.example.yaml', 'gateway.example.yaml']),
    );
  });

  it.each(files)('%s validates against its schema', (file) => {
    const data = readConfigFile(join(configDir, file));
    if (file.startsWith('hub.')) validateConfig(HubConfigSchema, data, file);
    else if (file.startsWith('gateway.')) validateConfig(GatewayConfigSchema, data, file);
    else if (file === 'demo.yaml')
      demoHubConfig(validateConfig(DemoConfigSchema, data, file), file);
    else throw new Error(`no schema known for config/${file}`);
  });
});

describe('docker-compose.yml', () => {
  const compose = parseYaml(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<
      string,
      { image?: string; build?: unknown; command?: string[]; depends_on?: Record<string, unknown> }
    >;
  };

  it('has the hub, InfluxDB 2.x with its setup, and a gateway with a simulated device', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['hub', 'influxdb', 'gateway', 'radar-sim']),
    );
    expect(compose.services.influxdb?.image).toMatch(/^influxdb:2\./);
    expect(compose.services.gateway?.depends_on).toHaveProperty('hub');
  });

  it('only names config files that exist, and commands the CLI has', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const command = service.command ?? [];
      for (const arg of command) {
        if (arg.startsWith('/app/config/'))
          expect(
            existsSync(join(configDir, arg.slice('/app/config/'.length))),
            `${name}: ${arg}`,
          ).toBe(true);
      }
      if (service.build !== undefined) expect(['hub', 'gateway', 'sim']).toContain(command[0]);
    }
  });
});
