/**
 * The care model's REST contract under /api/v1 (issue 5): areas, homes, residents, contacts,
 * response plans, gateways and devices, users with roles and scopes, the audit log, telemetry for
 * charts, gateway claim, test mode and family "I am going there". Additive to api.ts (whose routes
 * are unchanged, but scope-aware: see "Scopes" below). Request bodies, params and queries are
 * validated with these schemas; errors always use ApiError (realtime.ts).
 *
 *   GET    /api/v1/me                          → MeResponse (the user, their scope, what they may do)
 *   GET    /api/v1/openapi.json                → OpenAPI 3 document of every route (no session needed)
 *
 *   GET    /api/v1/areas                       → AreaListResponse (areas in scope, flat, parentId links)
 *   POST   /api/v1/areas                       CreateAreaRequest → AreaResponse            admin
 *   PATCH  /api/v1/areas/:id                   UpdateAreaRequest → AreaResponse            admin
 *
 *   GET    /api/v1/homes?areaId&q&limit&offset → HomeListResponse (homes in scope; areaId = subtree)
 *   POST   /api/v1/homes                       CreateHomeRequest → HomeResponse            admin, installer¹
 *   GET    /api/v1/homes/:id                   → HomeResponse
 *   PATCH  /api/v1/homes/:id                   UpdateHomeRequest → HomeResponse            admin, installer
 *   PUT    /api/v1/homes/:id/test-mode         SetTestModeRequest → HomeResponse           admin, installer, supervisor
 *   PUT    /api/v1/homes/:id/installers        SetInstallersRequest → HomeResponse         admin
 *   GET    /api/v1/homes/:id/card              → HomeCardResponse (audited read)           all but installer²
 *   GET    /api/v1/homes/:id/residents         → ResidentListResponse (audited read)
 *   POST   /api/v1/homes/:id/residents         CreateResidentRequest → ResidentResponse    admin, installer
 *   GET    /api/v1/residents/:id               → ResidentResponse (audited read)
 *   PATCH  /api/v1/residents/:id               UpdateResidentRequest → ResidentResponse    admin, installer, supervisor
 *   DELETE /api/v1/residents/:id               → 204                                       admin
 *   GET    /api/v1/homes/:id/contacts          → ContactListResponse (call order)
 *   PUT    /api/v1/homes/:id/contacts          ReplaceContactsRequest → ContactListResponse admin, installer, supervisor, operator
 *   PATCH  /api/v1/homes/:id/contacts/:contactId UpdateContactRequest → ContactResponse family (own contact:
 *                                              its userId is them), admin, installer, supervisor, operator
 *   GET    /api/v1/homes/:id/plans             → ResponsePlanListResponse
 *   PUT    /api/v1/homes/:id/plans/:kind       SetResponsePlanRequest → ResponsePlanResponse admin, supervisor
 *   GET    /api/v1/homes/:id/devices           → DeviceListResponse (every gateway of the home)
 *   GET    /api/v1/homes/:id/telemetry?from&to&fields&deviceId&maxPoints
 *                                              → TelemetryQueryResponse (series for charts)
 *   POST   /api/v1/homes/:id/commissioning     CreateCommissioningRecordRequest → CommissioningRecordResponse
 *                                              admin, supervisor, installer (the guided device test's result)
 *   GET    /api/v1/homes/:id/commissioning     → CommissioningRecordListResponse (newest first) admin, supervisor, installer
 *
 *   GET    /api/v1/gateways?homeId&state       → GatewayListResponse                       admin, supervisor, operator, installer (scope)
 *   POST   /api/v1/gateways                    CreateGatewayRequest → CreateGatewayResponse admin (claim code shown once)
 *   GET    /api/v1/gateways/:id                → GatewayResponse
 *   POST   /api/v1/gateways/claim              ClaimGatewayRequest → ClaimGatewayResponse  installer, admin
 *                                              (broker credentials shown once; config retained on down/config)
 *   POST   /api/v1/gateways/:id/decommission   DecommissionGatewayRequest → GatewayResponse admin
 *   POST   /api/v1/gateways/:id/rearm          RearmGatewayRequest → RearmGatewayResponse  admin
 *                                              (decommissioned only; a new claim code, shown once)
 *   POST   /api/v1/gateways/:id/devices        CreateDeviceRequest → DeviceResponse        admin, installer
 *   PATCH  /api/v1/gateways/:id/devices/:deviceId UpdateDeviceRequest → DeviceResponse     admin, installer
 *   DELETE /api/v1/gateways/:id/devices/:deviceId → 204                                    admin, installer
 *
 *   GET    /api/v1/users?role                  → UserListResponse                          admin
 *   POST   /api/v1/users                       CreateUserRequest → CareUserResponse        admin
 *   PATCH  /api/v1/users/:id                   UpdateUserRequest → CareUserResponse        admin
 *
 *   GET    /api/v1/audit?userId&username&action&targetType&targetId&from&to&before&limit
 *                                              → AuditListResponse (newest first)          admin
 *
 *   POST   /api/v1/alarms/:id/responding       RespondingRequest → AlarmResponse           family (own), operator, supervisor, admin
 *
 * ¹ An installer creates homes only in their own areas; the new home is assigned to them.
 * ² Installers read the home, residents, devices and contacts of homes assigned to them, not the
 *   card (medical notes are for the call centre and family). Families read the card of their
 *   relatives' homes, without the key-safe code.
 *
 * Scopes (checked on the server for every read and write):
 *  - admin: everything. operator, supervisor: homes in their areas (each area includes its
 *    subtree). installer: homes assigned to them. family: homes of their residents.
 *  - A read of something out of scope (or unknown) answers 404 NOT_FOUND, so nothing leaks.
 *    A write the role may never do answers 403 FORBIDDEN. Every refusal is audited
 *    (action `access.denied`).
 *  - Existing alarm routes: GET lists and details only alarms of homes in scope (family and
 *    installers may read too); acknowledge/resolve stay operator, supervisor, admin, in scope.
 *  - Socket.IO: each connection joins only the rooms of its scope (admin: all; operator and
 *    supervisor: their areas; family: their residents' homes; installers: assigned homes), so
 *    `alarm:new` / `alarm:updated` / `alarms:sync` carry only alarms it may see. Alarms of a
 *    gateway with no home reach admins, supervisors and operators with no area restriction.
 *  - keySafeCode is present in HomeDto only for KEY_SAFE_CODE_ROLES (`hasKeySafeCode` for all).
 */
export { CARE_ID_PATTERN, IdParamsSchema, KEY_SAFE_CODE_ROLES } from './care/common.js';
export * from './care/homes.js';
export * from './care/residents.js';
export * from './care/plans.js';
export * from './care/gateways.js';
export * from './care/users.js';
export * from './care/telemetry.js';
export * from './care/commissioning.js';
export * from './care/card.js';
