/**
 * Seeed MR60FDA2 60 GHz fall-detection radar (the "mmWave for XIAO" fall kit): UART frame codec
 * (pure, no I/O). The module speaks the TinyFrame protocol of its Hi-Link radar chip.
 *
 * Sources (cited as [ESPHOME], [SEEED] and [HLK] below):
 * - [ESPHOME] esphome/esphome, esphome/components/seeed_mr60fda2/seeed_mr60fda2.{h,cpp}: frame
 *   parser (SOF, ID, LEN, TYPE, HEAD_CKSUM, DATA, DATA_CKSUM), XOR-and-invert checksum, the report
 *   types 0x0E02 (fall) and 0x0F09 (people exist), and the complete command frames it sends for
 *   install height, height threshold, sensitivity, get-parameters and reset.
 * - [SEEED] Seeed's Arduino mmWave library (SeeedmmWave.cpp `packetFrame`/`processFrame`,
 *   SEEED_MR60FDA2.h `TypeFallDetection`): the same layout, host frame ids from 0x8000, and the
 *   parameter reply 0x0E06 (height f32, threshold f32, sensitivity u32, rect XL/XR/ZF/ZB f32).
 * - [HLK] Hi-Link "TinyFrame Protocol Reference" V1.2 for HLK-LD6002B/LD6002C, §1.2 frame
 *   structure, §1.3 byte order (header big-endian, DATA little-endian), §2.1.6 target report
 *   0x0A04, §2.2 fall extension (0x0E02…0x0E0E, 0x2110). Some header checksums printed in that
 *   document are wrong; every frame used in our tests was re-checked against [ESPHOME].
 *
 * Frame: 01 | id (u16 BE) | len (u16 BE) | type (u16 BE) | head_cksum | data[len] | data_cksum
 * where head_cksum = ~(xor of the 7 bytes before it) and data_cksum = ~(xor of data) ([ESPHOME]
 * `calculate_checksum`). A frame with no data is sent without a data checksum ([ESPHOME]
 * get_radar_parameters: 8 bytes) or with FF, the checksum of nothing ([HLK] §2.2.9); both are read.
 */
export * from './tables.js';
export * from './frame.js';
export * from './report.js';
export * from './decoder.js';
