/**
 * One gateway's configuration state and recent commands, live: the REST GET on every (re)connect,
 * then the hub's `gateway:control` / `gateway:command` pushes (sent to staff of the gateway's home).
 * Pushes are checked for shape and gateway before use: the socket is untrusted input.
 */
import type { GatewayCommandDto, GatewayControlDto } from '@anxin/protocol';
import { useCallback, useEffect, useState } from 'react';
import { getGatewayControl } from '../api/hub';
import { acquireHubSocket } from '../realtime/hubSocket';

const MAX_COMMANDS = 20;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTestMode(value: unknown): boolean {
  return (
    value === null ||
    (isRecord(value) &&
      (value.source === 'command' || value.source === 'home') &&
      (value.until === null || typeof value.until === 'string'))
  );
}

export function isControlFor(value: unknown, gatewayId: string): value is GatewayControlDto {
  return (
    isRecord(value) &&
    value.gatewayId === gatewayId &&
    typeof value.publishedVersion === 'number' &&
    typeof value.state === 'string' &&
    isTestMode(value.gatewayTestMode)
  );
}

export function isCommandFor(value: unknown, gatewayId: string): value is GatewayCommandDto {
  return (
    isRecord(value) &&
    value.gatewayId === gatewayId &&
    typeof value.id === 'string' &&
    typeof value.name === 'string' &&
    typeof value.status === 'string' &&
    typeof value.requestedAt === 'string'
  );
}

/** Keeps the newest copy of each command (a pending one is replaced by its answer), newest first. */
export function mergeCommands(
  current: readonly GatewayCommandDto[],
  incoming: readonly GatewayCommandDto[],
): GatewayCommandDto[] {
  const byId = new Map(current.map((c) => [c.id, c]));
  for (const c of incoming) {
    const existing = byId.get(c.id);
    // An answer never goes back to pending (a late GET may race the push).
    if (existing && existing.status !== 'pending' && c.status === 'pending') continue;
    byId.set(c.id, c);
  }
  return [...byId.values()]
    .sort((a, b) => (a.requestedAt < b.requestedAt ? 1 : a.requestedAt > b.requestedAt ? -1 : 0))
    .slice(0, MAX_COMMANDS);
}

export function useGatewayControl(gatewayId: string): {
  control: GatewayControlDto | null;
  commands: readonly GatewayCommandDto[];
  addCommand: (command: GatewayCommandDto) => void;
} {
  const [control, setControl] = useState<GatewayControlDto | null>(null);
  const [commands, setCommands] = useState<readonly GatewayCommandDto[]>([]);
  useEffect(() => {
    const { socket, release } = acquireHubSocket();
    const controller = new AbortController();
    const load = () =>
      getGatewayControl(gatewayId, controller.signal)
        .then((r) => {
          setControl(r.control);
          setCommands((current) => mergeCommands(current, r.commands));
        })
        // Shown as "not reported yet"; the next (re)connect loads again.
        .catch(() => undefined);
    void load();
    const onControl = (value: unknown) => {
      if (isControlFor(value, gatewayId)) setControl(value);
    };
    const onCommand = (value: unknown) => {
      if (isCommandFor(value, gatewayId)) setCommands((current) => mergeCommands(current, [value]));
    };
    // The connection is shared with the other panels: remove only this panel's listeners.
    socket.on('connect', load);
    socket.on('gateway:control', onControl);
    socket.on('gateway:command', onCommand);
    return () => {
      controller.abort();
      socket.off('connect', load);
      socket.off('gateway:control', onControl);
      socket.off('gateway:command', onCommand);
      release();
    };
  }, [gatewayId]);
  const addCommand = useCallback(
    (command: GatewayCommandDto) => setCommands((current) => mergeCommands(current, [command])),
    [],
  );
  return { control, commands, addCommand };
}
