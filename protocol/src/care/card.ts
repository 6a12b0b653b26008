/**
 * The home card an operator reads, and family "I am going there" on an alarm (AlarmDto.responders
 * is in ../alarms.ts). Part of the care contract (../care.ts lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { DeviceDto, GatewayDto } from './gateways.js';
import type { HomeDto } from './homes.js';
import type { ResponsePlanDto } from './plans.js';
import type { ContactDto, ResidentDto } from './residents.js';

/** Everything an operator needs on one screen for a home (audited as `home.card_read`). */
export interface HomeCardResponse {
  home: HomeDto;
  residents: ResidentDto[];
  contacts: ContactDto[];
  plans: ResponsePlanDto[];
  gateways: GatewayDto[];
  devices: DeviceDto[];
}

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
