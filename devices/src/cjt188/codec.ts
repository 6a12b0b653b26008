/**
 * CJ/T 188-2004 "Data transmission technical conditions of household metering instruments" —
 * pure codec for the cold-water meter (meter type 10H).
 *
 * Frame (CJ/T 188-2004, frame format):
 *   [FE …] 68 T A0 A1 A2 A3 A4 A5 A6 C L DATA CS 16
 *   - FE: wake-up bytes before the frame, not part of it.
 *   - T: meter type (10H cold water; 10H–19H water, 20H–29H heat, 30H–39H gas); AAH wildcard.
 *   - A0..A6: 7-byte address, low byte first (A5 A6 are often the maker's code); AA…AA wildcard.
 *   - C: D7 direction (1 = reply), D6 abnormal reply, D5..D0 function (01H read data, 03H read
 *     address, …).
 *   - L: DATA length. DATA: DI0 DI1 SER … (no +33H offset, unlike DL/T 645).
 *   - CS: sum mod 256 from 68 to the byte before CS.
 * Read data 901FH reply DATA (L = 16H): DI(2) SER(1) current cumulative flow (4 BCD, XXXXXX.XX)
 * unit(1) | settlement-day cumulative flow (4 BCD) unit(1) | real time (7 BCD: ss mm hh DD MM YY
 * YY) | ST status (2).
 *
 * Real meters disagree (see descriptor options): some send the DI as 90 1F, others 1F 90 — both
 * are accepted on receive; the order sent is per device. Status bit numbering differs too. Fields
 * filled with FF mean "not supported" and are omitted, never read as a value.
 */
export * from './tables.js';
export * from './frame.js';
export * from './reply.js';
export * from './decoder.js';
