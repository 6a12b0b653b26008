/**
 * The care model of the fake hub (protocol/src/care.ts routes) for web/'s own browser tests:
 * users with roles and scopes, areas, homes, residents, contacts, plans, gateways with claim codes,
 * devices, telemetry points, test mode, "I am going there", figures. Scope rules as in the contract:
 * a read out of scope answers 404 NOT_FOUND, a write the role may never do 403 FORBIDDEN.
 */
import type {
  AlarmDto,
  AreaDto,
  ContactDto,
  DeviceDto,
  DeviceKind,
  FiguresResponse,
  GatewayDto,
  HomeDto,
  ResidentDto,
  ResponsePlanDto,
  TelemetrySeriesDto,
  UserDto,
  UserRole,
} from '@anxin/protocol';

export interface FakeUser extends UserDto {
  password: string;
  /** family: their residents' homes; installer: assigned homes. */
  homeIds: string[];
}

export const FAKE_USERS = {
  operator: {
    id: 'u-1',
    username: 'operator',
    password: 'correct horse',
    displayName: 'Li Na',
    role: 'operator',
    homeIds: [],
  },
  supervisor: {
    id: 'u-2',
    username: 'supervisor',
    password: 'correct horse',
    displayName: 'Zhao Min',
    role: 'supervisor',
    homeIds: [],
  },
  installer: {
    id: 'u-3',
    username: 'installer',
    password: 'correct horse',
    displayName: 'Sun Gang',
    role: 'installer',
    homeIds: ['home-0002'],
  },
  family: {
    id: 'u-4',
    username: 'daughter',
    password: 'correct horse',
    displayName: 'Wang Fang',
    role: 'family',
    homeIds: ['home-0001'],
  },
} satisfies Record<string, FakeUser & { role: UserRole }>;

const iso = (ms: number) => new Date(ms).toISOString();

export class FakeCare {
  readonly areas: AreaDto[] = [
    { id: 'd-1', parentId: null, kind: 'district', name: 'Huangpu' },
    { id: 's-1', parentId: 'd-1', kind: 'street', name: 'Nanjing East Rd' },
    { id: 'c-1', parentId: 's-1', kind: 'community', name: 'Hankou Rd Community' },
  ];
  readonly homes = new Map<string, HomeDto>();
  readonly residents = new Map<string, ResidentDto>();
  readonly contacts = new Map<string, ContactDto[]>();
  readonly plans = new Map<string, ResponsePlanDto[]>();
  readonly gateways = new Map<string, GatewayDto>();
  readonly claimCodes = new Map<string, string>();
  readonly devices = new Map<string, DeviceDto>();
  /** `gateway/device` → the resident it belongs to (shared homes). */
  readonly deviceResidents = new Map<string, string | null>();
  readonly telemetry: TelemetrySeriesDto[] = [];
  private seq = 0;

  constructor(now = Date.now()) {
    const created = iso(now - 30 * 86_400_000);
    const home = (id: string, address: string, extra: Partial<HomeDto> = {}): HomeDto => ({
      id,
      areaId: 'c-1',
      address,
      floor: null,
      room: null,
      accessNotes: null,
      hasKeySafeCode: false,
      keySafeCode: null,
      testMode: false,
      testModeSince: null,
      installerIds: [],
      gatewayIds: [],
      createdAt: created,
      updatedAt: created,
      ...extra,
    });
    this.homes.set(
      'home-0001',
      home('home-0001', '18 Hankou Road, Building 3', {
        floor: '4',
        room: '402',
        accessNotes: 'No lift. Neighbour in 401 (Mrs Chen) has a key.',
        hasKeySafeCode: true,
        keySafeCode: '4711',
        gatewayIds: ['gw-0001'],
      }),
    );
    this.homes.set('home-0002', home('home-0002', '22 Fuzhou Road', { installerIds: ['u-3'] }));
    this.homes.set('home-0003', home('home-0003', '5 Jiujiang Road', { gatewayIds: ['gw-0003'] }));
    const resident = (id: string, homeId: string, name: string, extra: Partial<ResidentDto> = {}) =>
      this.residents.set(id, {
        id,
        homeId,
        name,
        photoUrl: null,
        birthYear: null,
        languages: [],
        medicalNotes: null,
        mobility: null,
        livesAlone: false,
        createdAt: created,
        updatedAt: created,
        ...extra,
      });
    resident('r-1', 'home-0001', 'Zhang Guiying', {
      birthYear: 1938,
      languages: ['zh-CN', 'yue'],
      medicalNotes: 'Type 2 diabetes (insulin). Hip replacement 2021. Allergic to penicillin.',
      mobility: 'walking_aid',
    });
    resident('r-2', 'home-0001', 'Zhang Jianguo', {
      birthYear: 1935,
      languages: ['zh-CN'],
      mobility: 'wheelchair',
    });
    resident('r-3', 'home-0003', 'Liu Xiulan', { birthYear: 1941, livesAlone: true });
    this.contacts.set('home-0001', [
      {
        id: 'c-1',
        homeId: 'home-0001',
        callOrder: 1,
        name: 'Wang Fang',
        relation: 'family',
        phone: '+86 138 0013 8000',
        availability: 'weekdays after 18:00',
        userId: 'u-4',
      },
      {
        id: 'c-2',
        homeId: 'home-0001',
        callOrder: 2,
        name: 'Chen Li',
        relation: 'neighbour',
        phone: '021-6321 0000',
        availability: null,
        userId: null,
      },
    ]);
    this.contacts.set('home-0003', [
      {
        id: 'c-3',
        homeId: 'home-0003',
        callOrder: 1,
        name: 'Liu Wei',
        relation: 'family',
        phone: '139 0000 1111',
        availability: null,
        userId: null,
      },
    ]);
    this.plans.set('home-0001', [
      {
        homeId: 'home-0001',
        kind: 'fall',
        steps: [
          'Call the resident on the landline',
          'Call contact 1 (Wang Fang)',
          'If no answer in 5 min: dispatch the community responder with the key-safe code',
        ],
        updatedAt: created,
        updatedBy: 'Zhao Min',
      },
      {
        homeId: 'home-0001',
        kind: 'default',
        steps: ['Call the resident', 'Call contacts in order'],
        updatedAt: created,
        updatedBy: 'Zhao Min',
      },
    ]);
    const gateway = (id: string, homeId: string | null, online: boolean): GatewayDto => ({
      id,
      homeId,
      claimState: homeId === null ? 'unclaimed' : 'claimed',
      claimedAt: homeId === null ? null : created,
      claimedBy: homeId === null ? null : 'u-3',
      credentialState: homeId === null ? 'none' : 'in_use',
      credentialsIssuedAt: homeId === null ? null : created,
      decommissionedAt: null,
      lastSeenAt: iso(now - (online ? 10_000 : 3 * 3600_000)),
      online,
      configVersion: homeId === null ? 0 : 3,
      reportedConfigVersion: homeId === null ? null : 3,
      gatewayTestMode: null,
      softwareVersion: '0.1.0',
      testMode: false,
    });
    this.gateways.set('gw-0001', gateway('gw-0001', 'home-0001', true));
    this.gateways.set('gw-0003', gateway('gw-0003', 'home-0003', false));
    this.gateways.set('gw-0042', gateway('gw-0042', null, false));
    this.claimCodes.set('gw-0042', 'ANX-7Q2M-9KD4');
    this.addDevice('gw-0001', 'radar-bathroom', 'fall_radar', 'bathroom', { batteryPct: null });
    this.addDevice('gw-0001', 'sos-bedroom', 'sos_button', 'bedroom', { batteryPct: 15 });
    this.addDevice('gw-0001', 'pir-hall', 'motion', 'hall', { batteryPct: 82 });
    this.addDevice('gw-0001', 'meter-1', 'electricity_meter', 'kitchen', { batteryPct: null });
    this.addDevice('gw-0001', 'water-1', 'water_meter', 'kitchen', { batteryPct: null });
    // 24 h of readings: a quiet night, a morning routine, and the alarm in the bathroom.
    for (let t = now - 24 * 3600_000; t <= now; t += 10 * 60_000) {
      const hour = new Date(t).getHours();
      const awake = hour >= 7 && hour <= 22;
      this.point(
        'gw-0001',
        'meter-1',
        'power_w',
        Math.round(awake ? 180 + 400 * Math.abs(Math.sin(t / 3.6e6)) : 45),
        t,
      );
      this.point(
        'gw-0001',
        'water-1',
        'water_m3',
        120 + ((t - (now - 24 * 3600_000)) / 3.6e6) * 0.006,
        t,
      );
      this.point('gw-0001', 'pir-hall', 'occupancy', awake && Math.sin(t / 1.2e6) > 0.3, t);
    }
  }

  addDevice(
    gatewayId: string,
    id: string,
    kind: DeviceKind,
    room: string | null,
    extra: Partial<DeviceDto> = {},
  ): DeviceDto {
    const gateway = this.gateways.get(gatewayId);
    const device: DeviceDto = {
      gatewayId,
      id,
      homeId: gateway?.homeId ?? null,
      room,
      kind,
      driver:
        kind === 'electricity_meter' ? 'dlt645' : kind === 'water_meter' ? 'cjt188' : 'zigbee2mqtt',
      expectedIntervalS: null,
      registered: true,
      lastSeenAt: iso(Date.now() - 60_000),
      online: true,
      batteryPct: null,
      signal: null,
      ...extra,
    };
    this.devices.set(`${gatewayId}/${id}`, device);
    return device;
  }

  /** Appends a telemetry point (epoch ms `at`, default now). */
  point(
    gatewayId: string,
    deviceId: string,
    field: string,
    value: number | boolean,
    at = Date.now(),
  ): void {
    let series = this.telemetry.find(
      (s) => s.gatewayId === gatewayId && s.deviceId === deviceId && s.field === field,
    );
    if (!series) {
      series = {
        gatewayId,
        deviceId,
        field,
        unit: field === 'power_w' ? 'W' : field === 'water_m3' ? 'm³' : 'bool',
        points: [],
      };
      this.telemetry.push(series);
    }
    series.points.push([at, value]);
    const device = this.devices.get(`${gatewayId}/${deviceId}`);
    if (device) device.lastSeenAt = iso(at);
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${String(this.seq).padStart(4, '0')}`;
  }

  /** Homes the user may see (admin, operator, supervisor: all in this single-area fake). */
  inScope(user: FakeUser, homeId: string | null): boolean {
    if (user.role === 'family' || user.role === 'installer')
      return homeId !== null && user.homeIds.includes(homeId);
    return true;
  }

  homeDevices(homeId: string): DeviceDto[] {
    return [...this.devices.values()].filter((d) => d.homeId === homeId);
  }

  homeGateways(homeId: string): GatewayDto[] {
    return [...this.gateways.values()].filter((g) => g.homeId === homeId);
  }

  homeView(home: HomeDto, user: FakeUser): HomeDto {
    const withKey =
      user.role === 'operator' || user.role === 'supervisor' || user.role === 'installer';
    const view: HomeDto = { ...home, gatewayIds: this.homeGateways(home.id).map((g) => g.id) };
    if (!withKey) delete view.keySafeCode;
    return view;
  }

  figures(alarms: readonly AlarmDto[], from: string, to: string): FiguresResponse {
    const counted = alarms.filter((a) => !a.test && a.priority <= 2 && a.receivedAt >= from);
    const now = Date.parse(to);
    const within = (s: number) => {
      if (counted.length === 0) return null;
      const ok = counted.filter((a) => {
        const end = a.acknowledgedAt !== null ? Date.parse(a.acknowledgedAt) : now;
        return end - Date.parse(a.receivedAt) <= s * 1000;
      }).length;
      return ok / counted.length;
    };
    const share = (withinS: number, target: number) => {
      const value = within(withinS);
      return { withinS, share: value, target, met: value === null ? null : value >= target };
    };
    const operators = new Map<string, number>();
    for (const a of alarms)
      if (a.acknowledgedBy)
        operators.set(a.acknowledgedBy, (operators.get(a.acknowledgedBy) ?? 0) + 1);
    const stats = {
      count: counted.length,
      p50S: counted.length ? 24 : null,
      p90S: counted.length ? 71 : null,
    };
    return {
      from,
      to,
      generatedAt: to,
      alarms: counted.length,
      acknowledge: stats,
      resolve: stats,
      answerShares: [share(60, 0.975), share(180, 0.99)],
      perAlarm: [],
      perOperator: [...operators].map(([username, n]) => ({
        username,
        acknowledged: n,
        resolved: n,
        acknowledge: stats,
        resolve: stats,
      })),
      perDay: [],
      openByAge: [],
      falseAlarmRates: [],
    };
  }
}
