/**
 * Seeed MR60FDA1 60 GHz fall-detection radar: UART frame codec (pure, no I/O).
 *
 * Sources (cited as [WIKI] and [LIB] in the comments below):
 * - [WIKI] Seeed Studio wiki "60GHz mmWave Sensor - Fall Detection Module Pro (MR60FDA1)",
 *   Seeed-Studio/wiki-documents docs/Sensor/mmWave_radar_sensor/Radar_MR60FDA1.md: sections
 *   "Default Variables" (control/command words), "Demo4: Send data to Sensor" (the checksum rule
 *   and the device-id query frame), "Demo5" (reset frame) and "Update firmware via UART" (the
 *   firmware-version query frame). The wiki points to the "MR60FDA1 user manual V1.3" and the
 *   "Universal Protocol" PDF for the full tables.
 * - [LIB] Seeed's Arduino library limengdu/Seeed-Studio-MR60FDA1-Sersor, 60ghzfalldetection.h/.cpp:
 *   the data byte of each report is at frame offset 6 (Msg[4] after the two header bytes).
 * - The heartbeat 01/01 is the 60 GHz family's system heartbeat; a capture of it
 *   (`53 59 01 01 00 01 0F BE 54 43`) is published in DuncanIdahoCT/espresence-mr60bha1-mmwave-sensor
 *   static/project.md ("heartbeat messages from the radar module").
 *
 * Frame layout ([WIKI] "Demo4", checksum tip):
 *   53 59 | control | command | length (16-bit big-endian) | data[length] | sum | 54 43
 * where `sum` is the low byte of the sum of every byte before it (header included).
 */
export * from './tables.js';
export * from './frame.js';
export * from './report.js';
export * from './decoder.js';
