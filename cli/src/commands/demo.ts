import { mkdirSync } from 'node:fs';
import { buildHub, seedDemo } from '@anxin/hub';
import { loadConfig } from '@anxin/protocol';
import { pino } from 'pino';
import { intOption, parseCommandArgs } from '../args.js';
import { untilSignal, writeLine, type Command } from '../command.js';
import { listenOrClose } from './listen-hub.js';
import { DemoConfigSchema, demoHubConfig, DEMO_ALARM_EVENTS } from '../demo/config.js';
import { controlSocketPath, startControlServer, type TriggerOutcome } from '../demo/control.js';
import {
  gatewayIdFor,
  newGatewaySecret,
  startHome,
  stopHome,
  triggerInHome,
  type SimulatedHome,
} from '../demo/homes.js';
import { watchHubConfig } from '../demo/reconcile.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'start the hub and simulated homes on embedded defaults, and print the console login',
  usage: [
    'Usage: anxin demo [--config FILE] [--homes N]',
    '',
    'Starts the hub (embedded MQTT broker, SQLite, embedded telemetry store unless configured) and',
    'N simulated homes, each with a real gateway reading simulated devices that speak their real',
    'protocols. Prints the console URL and logins; raises a random alarm now and then.',
    'Default FILE: none (built-in defaults); the repository ships config/demo.yaml.',
    '',
    'While it runs:  anxin sim trigger --home home-0001 --event fall   (or sos, smoke, door, bed_exit)',
    'A device an installer adds in the console (serial: port tcp://127.0.0.1:PORT; Zigbee: the',
    'friendly name it is given) gets a simulator at once and starts reporting within seconds.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      config: { type: 'string', short: 'c' },
      homes: { type: 'string' },
    });
    const demo = loadConfig(DemoConfigSchema, { file: values.config });
    demo.homes = intOption(values.homes, '--homes', demo.homes, 1, 50);
    mkdirSync(demo.dataDir, { recursive: true });
    const hubConfig = demoHubConfig(demo, values.config ?? 'defaults');
    const gatewayLogger = pino({ level: 'warn', base: { part: 'demo-gateway' } });

    const hub = await buildHub(hubConfig);
    const stopping = untilSignal();
    const { httpUrl, mqttUrl } = await listenOrClose(hub);

    // Areas, homes home-0001…, residents, contacts, plans and one login per role.
    const seeded = await seedDemo(hub, { homes: demo.homes });
    const logins = seeded.logins.map((u) => `${u.username} / ${u.password}  (${u.role})`);

    const note = (line: string) =>
      writeLine(io.stdout, `[demo] ${new Date().toISOString()} ${line}`);
    const homes: SimulatedHome[] = [];
    for (let i = 0; i < demo.homes; i++) {
      const secret = newGatewaySecret();
      await hub.provisionGateway({ gatewayId: gatewayIdFor(i), secret, homeId: gatewayIdFor(i) });
      const home = await startHome(i, {
        dataDir: demo.dataDir,
        mqttUrl,
        secret,
        logger: gatewayLogger,
        note,
      });
      // The hub knows the demo's devices as an installer would have registered them, so the
      // console lists them and the configuration the hub sends is the one the gateway runs.
      for (const d of home.configured)
        await hub.care.store.registerDevice(
          home.gatewayId,
          { ...d, kind: d.kind ?? 'other' },
          Date.now(),
        );
      homes.push(home);
    }
    const watcher = watchHubConfig(
      homes,
      {
        read: async (gatewayId) => {
          const config = await hub.care.provisioning.buildConfig(gatewayId, 0, Date.now());
          const row = await hub.care.store.getGatewayRow(gatewayId);
          return { devices: config.devices, claimed: (row?.claimed_at ?? null) !== null };
        },
        publish: async (gatewayId) => {
          await hub.care.provisioning.publishConfig(gatewayId, Date.now());
        },
      },
      note,
    );

    const trigger = (home: string, event: string, device?: string): TriggerOutcome => {
      const target = homes.find((h) => h.gatewayId === home);
      if (!target) {
        return {
          ok: false,
          code: 'UNKNOWN_HOME',
          message: `no home "${home}"; homes: ${homes.map((h) => h.gatewayId).join(', ')}`,
        };
      }
      const done = triggerInHome(target, event, device);
      if (!done) {
        const known = [...new Set(target.devices.flatMap((d) => d.sim.scenarios))].join(', ');
        return {
          ok: false,
          code: 'UNKNOWN_EVENT',
          message: `no device in ${home} can act out "${event}"; events: ${known}`,
        };
      }
      return { ok: true, home, device: done.id, event };
    };
    const control = await startControlServer(demo.dataDir, {
      homes: () =>
        homes.map((h) => ({
          gatewayId: h.gatewayId,
          devices: h.devices.map((d) => ({
            id: d.id,
            driver: d.driver,
            scenarios: d.sim.scenarios,
          })),
        })),
      trigger: (req) => trigger(req.home, req.event, req.device),
    });
    const stopRandomAlarms = scheduleRandomAlarms(
      demo.alarms.meanIntervalS,
      homes,
      (home, event) => {
        const outcome = trigger(home, event);
        if (outcome.ok)
          writeLine(
            io.stdout,
            `[demo] ${new Date().toISOString()} ${home}: simulated ${event} (${outcome.device})`,
          );
      },
    );

    writeLine(io.stdout, '');
    writeLine(io.stdout, 'Anxin demo is running.');
    writeLine(io.stdout, `  Console:   ${httpUrl}`);
    for (const login of logins) writeLine(io.stdout, `  Login:     ${login}`);
    writeLine(io.stdout, `  Broker:    ${mqttUrl}`);
    writeLine(
      io.stdout,
      `  Homes:     ${homes.map((h) => `${h.gatewayId} (${h.devices.map((d) => d.id).join(', ')})`).join('; ')}`,
    );
    writeLine(io.stdout, `  Data:      ${demo.dataDir}`);
    writeLine(
      io.stdout,
      `  Trigger:   npx anxin sim trigger --home ${homes[0]?.gatewayId ?? 'home-0001'} --event fall`,
    );
    writeLine(io.stdout, `             (control socket ${controlSocketPath(demo.dataDir)})`);
    writeLine(io.stdout, 'Press Ctrl+C to stop.');

    await stopping;
    writeLine(io.stdout, 'stopping…');
    stopRandomAlarms();
    await watcher.stop();
    await new Promise<void>((resolve) => control.close(() => resolve()));
    for (const home of homes) await stopHome(home);
    await hub.close();
    return 0;
  },
};

/** A random alarm about every `meanS` seconds (exponential gaps), in a random home. */
function scheduleRandomAlarms(
  meanS: number,
  homes: readonly SimulatedHome[],
  fire: (home: string, event: string) => void,
): () => void {
  if (meanS <= 0 || homes.length === 0) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    const gapMs = -Math.log(1 - Math.random()) * meanS * 1000;
    timer = setTimeout(() => {
      const home = homes[Math.floor(Math.random() * homes.length)];
      const possible = DEMO_ALARM_EVENTS.filter((e) =>
        home?.devices.some((d) => d.sim.scenarios.includes(e)),
      );
      const event = possible[Math.floor(Math.random() * possible.length)];
      if (home && event) fire(home.gatewayId, event);
      next();
    }, gapMs);
    timer.unref();
  };
  next();
  return () => clearTimeout(timer);
}
