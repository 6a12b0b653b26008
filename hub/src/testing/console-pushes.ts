/**
 * A console for tests: a logged-in Socket.IO client that records every `alarm:new` and
 * `alarm:updated` push in arrival order.
 */
import { io as ioClient, type Socket } from 'socket.io-client';
import type { AlarmDto, ClientToServerEvents, ServerToClientEvents } from '@anxin/protocol';

export interface AlarmPush {
  event: 'alarm:new' | 'alarm:updated';
  alarm: AlarmDto;
}

export async function connectConsole(
  httpUrl: string,
  cookie: string,
): Promise<{ socket: Socket<ServerToClientEvents, ClientToServerEvents>; pushed: AlarmPush[] }> {
  const pushed: AlarmPush[] = [];
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(httpUrl, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie },
  });
  socket.on('alarm:new', (alarm) => pushed.push({ event: 'alarm:new', alarm }));
  socket.on('alarm:updated', (alarm) => pushed.push({ event: 'alarm:updated', alarm }));
  await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  return { socket, pushed };
}
