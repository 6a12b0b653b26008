/** One icon per alarm kind, so the queue can be scanned without reading. */
import type { AlarmKind } from '@anxin/protocol';
import {
  IconAlarmSmoke,
  IconBattery1,
  IconBed,
  IconDoor,
  IconDroplet,
  IconFall,
  IconFlame,
  IconGauge,
  IconHandStop,
  IconPlugConnectedX,
  IconRouterOff,
  IconSos,
  IconZzz,
  type Icon,
} from '@tabler/icons-react';

export const KIND_ICONS: Readonly<Record<AlarmKind, Icon>> = {
  fall: IconFall,
  sos: IconSos,
  smoke: IconAlarmSmoke,
  gas: IconFlame,
  water_leak: IconDroplet,
  bed_exit_night: IconBed,
  inactivity: IconZzz,
  abnormal_consumption: IconGauge,
  door_open_night: IconDoor,
  device_offline: IconPlugConnectedX,
  gateway_offline: IconRouterOff,
  low_battery: IconBattery1,
  tamper: IconHandStop,
};
