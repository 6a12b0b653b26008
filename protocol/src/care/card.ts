/**
 * The home card an operator reads, and family "I am going there" on an alarm (AlarmDto.responders
 * is in ../alarms.ts). Part of the care contract (../care.ts lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import { DeviceSchema, GatewaySchema } from './gateways.js';
import { HomeSchema } from './homes.js';
import { ResponsePlanSchema } from './plans.js';
import { ContactSchema, ResidentSchema } from './residents.js';

/** Everything an operator needs on one screen for a home (audited as `home.card_read`). */
export const HomeCardResponseSchema = Type.Object(
  {
    home: HomeSchema,
    residents: Type.Array(ResidentSchema),
    contacts: Type.Array(ContactSchema),
    plans: Type.Array(ResponsePlanSchema),
    gateways: Type.Array(GatewaySchema),
    devices: Type.Array(DeviceSchema),
  },
  { additionalProperties: false },
);
export type HomeCardResponse = Static<typeof HomeCardResponseSchema>;

/** POST /alarms/:id/responding: "I am going there". */
export const RespondingRequestSchema = Type.Object(
  {
    /** Minutes until they expect to be there. */
    etaMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 60 })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type RespondingRequest = Static<typeof RespondingRequestSchema>;
