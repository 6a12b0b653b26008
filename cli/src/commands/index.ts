import type { Command } from '../command.js';
import { benchCommand } from './bench.js';
import { certsCommand } from './certs.js';
import { dbCommand } from './db.js';
import { decodeCommand } from './decode.js';
import { demoCommand } from './demo.js';
import { gatewayCommand } from './gateway.js';
import { hubCommand } from './hub.js';
import { importCommand } from './import.js';
import { scanCommand } from './scan.js';
import { simCommand } from './sim.js';

/** Every `anxin` sub-command, in the order `anxin --help` lists them. */
export const COMMANDS: readonly Command[] = [
  hubCommand,
  gatewayCommand,
  demoCommand,
  simCommand,
  decodeCommand,
  scanCommand,
  benchCommand,
  certsCommand,
  dbCommand,
  importCommand,
];
