/**
 * Where `bench latency` hosts its gateways and raises its alarms (issue 12: the bench's own cost
 * must not hide the hub's latency).
 *
 * Most gateways run in load processes at a low CPU priority (load-nice.ts): they are the district's
 * traffic, and on this machine they share two cores with the hub, which on its own server they
 * never would. An alarm raised in one of them is timed through that process, so a moment it waits
 * for the CPU behind the hub shows up as the gateway's own stages (reading → MQTT publish, reading
 * → outbox durable) and the first network hop. So a few of the gateways, the probes, run in a process of
 * their own at the hub's priority and raise every alarm. They are real gateways like the rest
 * (durable outbox, MQTT connection, their share of the telemetry); only where they run differs, as
 * a gateway in a home runs on a CPU of its own. The probe process's own lag is reported beside the
 * figures. `--probe-gateways 0` raises the alarms on random gateways of the load processes instead.
 */

/** Probe gateways by default: 2% of the gateways, 1 to 100 (40 at 2,000). */
export function defaultProbeGateways(gateways: number): number {
  return Math.min(100, Math.max(1, Math.ceil(gateways / 50)));
}

/** What one process hosts and offers. */
export interface ProcessShare {
  gatewayIds: string[];
  /** Telemetry events/s: the process's gateways' share of the rate. */
  rate: number;
  /** Alarms/s raised on its gateways. */
  alarmRate: number;
}

export interface LoadLayout {
  /** The probe process's gateways (absent with no probes). */
  probe?: ProcessShare;
  /** The load processes', gateway i of the rest in process i mod W. */
  load: ProcessShare[];
}

/**
 * Splits `ids` into the probes (the first `probes`) and W load processes, and the rates between
 * them: telemetry in proportion to the gateways each hosts (every gateway offers the same), every
 * alarm on the probes when there are any, else evenly over the load processes.
 */
export function loadLayout(
  ids: readonly string[],
  probes: number,
  loadProcesses: number,
  rate: number,
  alarmRate: number,
): LoadLayout {
  const p = Math.max(0, Math.min(probes, ids.length));
  const rest = ids.slice(p);
  const w = rest.length === 0 ? 0 : Math.max(1, Math.min(loadProcesses, rest.length));
  const perGateway = ids.length === 0 ? 0 : rate / ids.length;
  const load: ProcessShare[] = Array.from({ length: w }, () => ({
    gatewayIds: [],
    rate: 0,
    alarmRate: p > 0 ? 0 : alarmRate / w,
  }));
  rest.forEach((id, i) => load[i % w]?.gatewayIds.push(id));
  for (const share of load) share.rate = perGateway * share.gatewayIds.length;
  if (p === 0) return { load };
  return {
    probe: { gatewayIds: ids.slice(0, p), rate: perGateway * p, alarmRate },
    load,
  };
}

/** Every process's share, the probe first when there is one: the order processes are forked in. */
export function sharesInOrder(layout: LoadLayout): ProcessShare[] {
  return [...(layout.probe ? [layout.probe] : []), ...layout.load];
}
