/**
 * A small Prometheus registry with hand-written text exposition (format 0.0.4): counters with
 * labels, gauges read at scrape time, and histograms. Kept in-process and allocation-light because
 * the ingest hot path updates it for every message.
 */

type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`).join(',');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

interface Metric {
  name: string;
  help: string;
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  /** Every labelled value, for stats(). */
  entries(): [string, number][] {
    return [...this.values.entries()];
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [key, value] of this.values)
      lines.push(`${this.name}${key ? `{${key}}` : ''} ${value}`);
    return lines;
  }
}

export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number | [Labels, number][],
  ) {}
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    const value = this.read();
    if (typeof value === 'number') lines.push(`${this.name} ${value}`);
    else for (const [labels, v] of value) lines.push(`${this.name}{${labelKey(labels)}} ${v}`);
    return lines;
  }
}

export class Histogram implements Metric {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] ?? Infinity)) this.counts[i] = (this.counts[i] ?? 0) + 1;
    }
  }
  snapshot(): { count: number; sum: number } {
    return { count: this.count, sum: this.sum };
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) =>
      lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i] ?? 0}`),
    );
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`);
    lines.push(`${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines;
  }
}

export const LATENCY_BUCKETS_S = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Seconds, for the event loop's lag: fine at the low end, where an alarm's budget is. */
export const EVENT_LOOP_LAG_BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

export class Registry {
  private readonly metrics: Metric[] = [];
  counter(name: string, help: string): Counter {
    const m = new Counter(name, help);
    this.metrics.push(m);
    return m;
  }
  gauge(name: string, help: string, read: () => number | [Labels, number][]): Gauge {
    const m = new Gauge(name, help, read);
    this.metrics.push(m);
    return m;
  }
  histogram(name: string, help: string, buckets: readonly number[] = LATENCY_BUCKETS_S): Histogram {
    const m = new Histogram(name, help, buckets);
    this.metrics.push(m);
    return m;
  }
  render(): string {
    return this.metrics.flatMap((m) => m.render()).join('\n') + '\n';
  }
}

/** The hub's metrics, created once by the composition root and handed to each part. */
export function createHubMetrics(registry = new Registry()) {
  return {
    registry,
    messagesIn: registry.counter(
      'anxin_mqtt_messages_in_total',
      'MQTT messages received from gateways, by channel',
    ),
    eventsIn: registry.counter('anxin_events_in_total', 'Gateway events received, by lane'),
    rejections: registry.counter('anxin_rejections_total', 'Refused messages or events, by code'),
    authFailures: registry.counter(
      'anxin_mqtt_auth_failures_total',
      'Refused MQTT logins, by reason',
    ),
    mqttTlsHandshakes: registry.counter(
      'anxin_mqtt_tls_handshakes_total',
      'TLS handshakes on the embedded broker, by whether a session ticket was resumed',
    ),
    aclRefusals: registry.counter(
      'anxin_mqtt_acl_refusals_total',
      "Refused MQTT publish/subscribe outside the gateway's topics",
    ),
    downlinkHeld: registry.counter(
      'anxin_mqtt_downlink_held_total',
      "Hub publishes held until the gateway's subscription was in place, by why they went (subscribed, disconnected, timeout)",
    ),
    acks: registry.counter(
      'anxin_acks_total',
      'Event outcomes sent to gateways, by lane and outcome',
    ),
    alarmsStored: registry.counter(
      'anxin_alarm_triggers_stored_total',
      'Alarm triggers made durable',
    ),
    telemetryPoints: registry.counter(
      'anxin_telemetry_points_written_total',
      'Telemetry events written to the store',
    ),
    telemetryStoreErrors: registry.counter(
      'anxin_telemetry_store_errors_total',
      'Failed telemetry store writes',
    ),
    telemetryResumes: registry.counter(
      'anxin_telemetry_resumes_total',
      'Deferred gateways called back because the telemetry queue had room',
    ),
    sqlWriteSeconds: registry.histogram('anxin_sql_write_seconds', 'Alarm batch transaction time'),
    telemetryWriteSeconds: registry.histogram(
      'anxin_telemetry_write_seconds',
      'Telemetry store write time',
    ),
    alarmAckSeconds: registry.histogram(
      'anxin_alarm_ack_seconds',
      'Alarm batch arrival to ack, incl. queueing',
    ),
    eventLoopLagSeconds: registry.histogram(
      'anxin_event_loop_lag_seconds',
      "How late a 10 ms timer fires on the hub's event loop (the floor under every latency)",
      EVENT_LOOP_LAG_BUCKETS_S,
    ),
    httpErrors: registry.counter('anxin_http_errors_total', 'REST errors, by code'),
    listenerFailures: registry.counter(
      'anxin_event_listener_failures_total',
      'Hub event listeners that threw or rejected, by event',
    ),
  };
}
export type HubMetrics = ReturnType<typeof createHubMetrics>;

/**
 * Adds `instance="<hub id>"` to every sample (issue 11): several hubs' figures stay apart wherever
 * they are collected (with Prometheus, scrape with `honor_labels: true` to keep the hub's own name
 * rather than the target address).
 */
export function withInstanceLabel(text: string, instance: string): string {
  const label = `instance="${escapeLabel(instance)}"`;
  return text
    .split('\n')
    .map((line) => {
      if (line === '' || line.startsWith('#')) return line;
      const brace = line.indexOf('{');
      const space = line.indexOf(' ');
      if (brace !== -1 && brace < space)
        return `${line.slice(0, brace + 1)}${label}${line[brace + 1] === '}' ? '' : ','}${line.slice(brace + 1)}`;
      return `${line.slice(0, space)}{${label}}${line.slice(space)}`;
    })
    .join('\n');
}
