/**
 * Residents of a home and the contacts called for them, in call order. Part of the care contract
 * (../care.ts lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import { IsoTime, nullable } from '../operations-common.js';
import { stringEnum } from '../schema.js';
import { CareId, LongText, Name, ShortText } from './common.js';

export const MOBILITY_LEVELS = ['independent', 'walking_aid', 'wheelchair', 'bedridden'] as const;
export type Mobility = (typeof MOBILITY_LEVELS)[number];

export const ResidentSchema = Type.Object(
  {
    id: Type.String(),
    homeId: Type.String(),
    name: Type.String(),
    /** URL of a photo (served elsewhere), or null. */
    photoUrl: nullable(Type.String()),
    birthYear: nullable(Type.Integer()),
    /** e.g. ["zh-CN", "yue"], first = preferred. */
    languages: Type.Array(Type.String()),
    medicalNotes: nullable(Type.String()),
    mobility: nullable(stringEnum(MOBILITY_LEVELS)),
    livesAlone: Type.Boolean(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { additionalProperties: false },
);
export type ResidentDto = Static<typeof ResidentSchema>;

const residentFields = {
  name: Name,
  photoUrl: Type.Optional(
    Type.Union([Type.String({ maxLength: 2000, pattern: '^(https?://|/)' }), Type.Null()]),
  ),
  birthYear: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1900, maximum: 2100 }), Type.Null()]),
  ),
  languages: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 35 }), { maxItems: 10 }),
  ),
  medicalNotes: Type.Optional(Type.Union([LongText, Type.Null()])),
  mobility: Type.Optional(Type.Union([stringEnum(MOBILITY_LEVELS), Type.Null()])),
  livesAlone: Type.Optional(Type.Boolean()),
};

export const CreateResidentRequestSchema = Type.Object(
  { id: Type.Optional(CareId), ...residentFields },
  { additionalProperties: false },
);
export type CreateResidentRequest = Static<typeof CreateResidentRequestSchema>;

export const UpdateResidentRequestSchema = Type.Partial(Type.Object(residentFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type UpdateResidentRequest = Static<typeof UpdateResidentRequestSchema>;

export const ResidentListResponseSchema = Type.Object(
  { residents: Type.Array(ResidentSchema) },
  { additionalProperties: false },
);
export type ResidentListResponse = Static<typeof ResidentListResponseSchema>;
export const ResidentResponseSchema = Type.Object(
  { resident: ResidentSchema },
  { additionalProperties: false },
);
export type ResidentResponse = Static<typeof ResidentResponseSchema>;

// ───────────────────────────── Contacts ─────────────────────────────

export const CONTACT_RELATIONS = ['family', 'neighbour', 'community_worker', 'other'] as const;
export type ContactRelation = (typeof CONTACT_RELATIONS)[number];

export const ContactSchema = Type.Object(
  {
    id: Type.String(),
    homeId: Type.String(),
    /** 1 = called first. */
    callOrder: Type.Integer(),
    name: Type.String(),
    relation: stringEnum(CONTACT_RELATIONS),
    phone: Type.String(),
    /** Free text, e.g. "weekdays after 18:00". */
    availability: nullable(Type.String()),
    /** The family user this contact is, when they have a login (escalation reaches them there too). */
    userId: nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type ContactDto = Static<typeof ContactSchema>;

export const ContactInputSchema = Type.Object(
  {
    name: Name,
    relation: stringEnum(CONTACT_RELATIONS),
    phone: Type.String({ minLength: 3, maxLength: 32, pattern: '^[0-9+() -]+$' }),
    availability: Type.Optional(Type.Union([ShortText, Type.Null()])),
    userId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type ContactInput = Static<typeof ContactInputSchema>;

/** Replaces the home's contacts; the array order is the call order. */
export const ReplaceContactsRequestSchema = Type.Object(
  { contacts: Type.Array(ContactInputSchema, { maxItems: 20 }) },
  { additionalProperties: false },
);
export type ReplaceContactsRequest = Static<typeof ReplaceContactsRequestSchema>;

export const ContactListResponseSchema = Type.Object(
  { contacts: Type.Array(ContactSchema) },
  { additionalProperties: false },
);
export type ContactListResponse = Static<typeof ContactListResponseSchema>;

/** A family member edits their own phone and availability (call order and relation stay). */
export const UpdateContactRequestSchema = Type.Object(
  {
    phone: Type.Optional(ContactInputSchema.properties.phone),
    availability: Type.Optional(Type.Union([ShortText, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateContactRequest = Static<typeof UpdateContactRequestSchema>;

export const ContactParamsSchema = Type.Object(
  { id: CareId, contactId: CareId },
  { additionalProperties: false },
);

export const ContactResponseSchema = Type.Object(
  { contact: ContactSchema },
  { additionalProperties: false },
);
export type ContactResponse = Static<typeof ContactResponseSchema>;
