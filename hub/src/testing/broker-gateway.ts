/**
 * The embedded Broker on a fresh SQLite state holding one gateway's credentials, and that gateway
 * connected to it over TCP as a real MQTT client: where the broker's own tests (downlink order,
 * subscription gate) start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { Broker } from '../broker/broker.js';
import { hubConfig } from '../config.js';
import { createHubMetrics, type HubMetrics } from '../metrics.js';
import { hashGatewaySecret } from '../security/gateway-secret.js';
import { openDatabase, type OpenedDatabase } from '../store/db.js';
import { GatewayStore } from '../store/gateways.js';

export interface BrokerWithGateway {
  broker: Broker;
  gateway: MqttClient;
  metrics: HubMetrics;
  /** Disconnects the gateway, closes the broker and the database, removes the directory. */
  close(): Promise<void>;
}

export async function brokerWithGateway(options: {
  gatewayId: string;
  secret: string;
  /** MQTT clean session: true is a fresh session (as after a hub restart), with no subscription. */
  clean: boolean;
}): Promise<BrokerWithGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-broker-gateway-'));
  let opened: OpenedDatabase | undefined;
  let broker: Broker | undefined;
  let gateway: MqttClient | undefined;
  const close = async () => {
    await gateway?.endAsync(true);
    await broker?.close();
    await opened?.db.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    opened = await openDatabase(join(dir, 'hub.db'), pino({ level: 'silent' }));
    const gateways = new GatewayStore(opened.db);
    await gateways.upsertCredentials(options.gatewayId, hashGatewaySecret(options.secret), null, 0);
    const metrics = createHubMetrics();
    broker = await Broker.create({
      config: hubConfig({ mqtt: { port: 0 } }).mqtt,
      gateways,
      metrics,
      log: pino({ level: 'silent' }),
      uplinks: { onUplink: () => undefined },
    });
    const url = await broker.listen();
    gateway = await connectAsync(url, {
      clientId: options.gatewayId,
      username: options.gatewayId,
      password: options.secret,
      clean: options.clean,
      reconnectPeriod: 0,
    });
    return { broker, gateway, metrics, close };
  } catch (err) {
    await close();
    throw err;
  }
}
