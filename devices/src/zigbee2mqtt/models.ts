/**
 * Per-model knowledge the generic Zigbee2MQTT mapping cannot infer, as data.
 *
 * Sources: the device definitions of zigbee-herdsman-converters (the library Zigbee2MQTT uses;
 * each page on zigbee2mqtt.io/devices/<MODEL>.html lists the same "Exposes"):
 * - Heiman HS1EB/HS1EB-E "Smart emergency button" (src/devices/heiman.ts):
 *   `e.action(["off", "single", "double", "hold"])`.
 * - Tuya TS0215A_sos "SOS button" (zigbee2mqtt.io/devices/TS0215A_sos.html): action `emergency`.
 * - OWON FDS315 "Fall Detection Sensor" (src/devices/owon.ts): enum `status` with values
 *   unoccupied, occupied, sitting, on_the_bed, low_posture, falling; numeric `breathing_rate`.
 * - OWON SPM915 "Sleeping pad monitor" (src/devices/owon.ts): IAS zone of type "contact", so
 *   Zigbee2MQTT publishes `contact`; the pad raises its alarm bit (contact: false) while pressed.
 */

export interface ModelProfile {
  /** `action` values that mean "help": raise an SOS alarm. */
  sosActions?: readonly string[];
  /** What this model's `contact` property means, when it is not a door contact. */
  contactMeans?: 'bed_empty';
  /** The model reports posture in an enum `status` (OWON FDS315). */
  postureStatus?: boolean;
}

export const MODEL_PROFILES: Readonly<Record<string, ModelProfile>> = {
  'HS1EB/HS1EB-E': { sosActions: ['single', 'double', 'hold'] },
  TS0215A_sos: { sosActions: ['emergency'] },
  FDS315: { postureStatus: true },
  SPM915: { contactMeans: 'bed_empty' },
};

/**
 * For a device whose model is not yet known (bridge/devices not received), only action values
 * that cannot mean anything but a call for help raise an SOS. `single` is deliberately absent:
 * on most models it is an ordinary light switch press.
 */
export const GENERIC_SOS_ACTIONS: readonly string[] = ['emergency', 'sos', 'panic'];
