/**
 * Escalation of untaken alarms (DESIGN.md "Alarms"; issue 5). Every open alarm of an escalating
 * priority gets an `escalations` row whose `due_at` is its next step; the steps are
 *
 *   pending ──(ackTimeoutS, still open)──▶ supervisors ──(supervisorTimeoutS)──▶ contact #1
 *   ──(contactStepTimeoutS)──▶ contact #2 … ──▶ exhausted
 *
 * and any step ends the chain (`stopped`) once the alarm is acknowledged or resolved; a contact
 * who accepts (API, or the signed link) ends it as `accepted`. Homes in test mode (and test
 * alarms) never escalate.
 *
 * Surviving a restart: the timers ARE the rows. A poll picks rows whose due_at has passed (at
 * start too, so a step that fell due while the hub was down runs right away), and claims each one
 * with a conditional UPDATE that moves due_at forward by a lease: a row is worked on once even
 * with two pollers, and a hub that dies mid-step retries it after the lease instead of losing it.
 * Alarms stored while no row could be written (a crash between the two) are found again at start.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AlarmDto, EscalationDto, EscalationStage, UserDto } from '@anxin/protocol';
import { systemClock, type Clock } from '../clock.js';
import type { CareLookup, EscalationContact } from '../engine/care-lookup.js';
import type { EscalationsTable } from '../engine/tables.js';
import type { Notifier } from '../notify/notifier.js';
import { alarmRowToDto } from '../store/alarms.js';
import type { AlarmRow, Database } from '../store/schema.js';
import type { EscalationConfig } from './config.js';
import { decideStep, escalates, firstDueAt } from './policy.js';
import { EscalationStore, type Actor } from './store.js';
import { loadLinkKey, signAcceptToken, verifyAcceptToken } from './tokens.js';

export interface EscalationPush {
  /** Supervisors and admins. */
  toSupervisors(escalation: EscalationDto): void;
  /** Specific users (family contacts with a login). */
  toUsers(userIds: string[], escalation: EscalationDto): void;
}

export type AcceptResult =
  | { ok: true; escalation: EscalationDto }
  | { ok: false; reason: 'not_found' | 'conflict' | 'forbidden'; message: string };

const ACTIVE: EscalationStage[] = ['pending', 'supervisors', 'contact'];
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class Escalator {
  private readonly store: EscalationStore;
  private key: Buffer | undefined;
  private stopPolling: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly clock: Clock;
  readonly counters = { escalated: 0, contactsCalled: 0, accepted: 0, stopped: 0, exhausted: 0 };

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      care: CareLookup;
      notifier: Notifier;
      push: EscalationPush;
      config: EscalationConfig;
      log: Logger;
      /** Real time unless a test moves it (the steps' timeouts, the poll, accept links). */
      clock?: Clock;
    },
  ) {
    this.store = new EscalationStore(deps.db);
    this.clock = deps.clock ?? systemClock;
  }

  private now(): number {
    return this.clock.now();
  }

  async start(): Promise<void> {
    const now = this.now();
    this.key = await loadLinkKey(this.store.db, now);
    if (!this.deps.config.enabled) return;
    const orphans = await this.store.orphans(10_000);
    if (orphans.length > 0) await this.onAlarmsCreated(orphans.map(alarmRowToDto));
    const armed = await this.store.countArmed();
    this.deps.log.info({ armed, recovered: orphans.length }, 'escalation timers armed');
    this.stopPolling = this.clock.every(this.deps.config.pollIntervalMs, () => this.kick());
    void this.kick();
  }

  /** New alarms (from ingest or the rules): arm their first step. */
  async onAlarmsCreated(alarms: AlarmDto[]): Promise<void> {
    const rows = alarms.filter((a) => escalates(a, this.deps.config));
    if (rows.length === 0) return;
    await this.store.arm(
      rows.map((alarm) => ({ alarm, dueAt: firstDueAt(alarm.receivedAt, this.deps.config) })),
      this.now(),
    );
  }

  /**
   * Runs a pass over the due steps unless one is under way; resolves when the pass (the new one or
   * the one under way) has finished. Never rejects: a failed pass is logged and the next poll retries.
   */
  kick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running ??= this.processDue(this.now())
      .then(() => undefined)
      .catch((err: unknown) => this.deps.log.error({ err }, 'escalation pass failed'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** Runs every step due at `now`. */
  async processDue(now: number): Promise<number> {
    const due = await this.store.due(now, 200);
    let done = 0;
    for (const row of due) {
      if (row.due_at === null) continue;
      const mine = await this.store.claim(
        { ...row, due_at: row.due_at },
        now,
        this.deps.config.leaseMs,
      );
      if (!mine) continue; // someone else has it
      try {
        await this.step(row, now);
        done += 1;
      } catch (err) {
        this.deps.log.error(
          { err, alarmId: row.alarm_id },
          'escalation step failed (retried after the lease)',
        );
      }
    }
    return done;
  }

  private async step(row: EscalationsTable, now: number): Promise<void> {
    const alarm = await this.store.alarm(row.alarm_id);
    const open = alarm?.status === 'open';
    // Looked up only when they matter, in this order: test mode, then the contacts.
    const test = open && (alarm.test === 1 || (await this.deps.care.homeInTestMode(alarm.home_id)));
    const contacts =
      open && !test && row.stage !== 'pending' ? await this.deps.care.contacts(alarm.home_id) : [];
    const decision = decideStep(
      {
        stage: row.stage as EscalationStage,
        contactIndex: row.contact_index,
        alarmStatus: alarm?.status,
        test,
        contactCount: contacts.length,
      },
      this.deps.config,
      now,
    );
    if (decision.kind === 'stop') {
      await this.store.update(row.alarm_id, now, {
        stage: 'stopped',
        due_at: null,
        stopped_reason: decision.reason,
      });
      this.counters.stopped += 1;
      if (decision.tellSupervisors) await this.pushState(row.alarm_id, []);
      return;
    }
    if (!alarm) return; // decideStep stops a chain whose alarm is gone
    const dto = alarmRowToDto(alarm);
    if (decision.kind === 'supervisors') {
      await this.store.update(row.alarm_id, now, { stage: 'supervisors', due_at: decision.dueAt });
      await this.store.audit(now, row.alarm_id, 'alarm.escalate', { stage: 'supervisors' });
      const esc = await this.pushState(row.alarm_id, []);
      await this.deps.notifier.enqueue('alarm.escalated', { alarm: dto, escalation: esc });
      this.counters.escalated += 1;
      this.deps.log.warn(
        { alarmId: alarm.id, kind: alarm.kind },
        'alarm not taken: escalated to supervisors',
      );
      return;
    }
    if (decision.kind === 'exhausted') {
      await this.store.update(row.alarm_id, now, { stage: 'exhausted', due_at: null });
      await this.store.audit(now, row.alarm_id, 'alarm.escalate', { stage: 'exhausted' });
      const esc = await this.pushState(row.alarm_id, []);
      await this.deps.notifier.enqueue('escalation.exhausted', { alarm: dto, escalation: esc });
      this.counters.exhausted += 1;
      return;
    }
    const contact = contacts[decision.contactIndex];
    if (!contact) return; // decideStep only names a contact that exists
    await this.store.update(row.alarm_id, now, {
      stage: 'contact',
      contact_index: decision.contactIndex,
      due_at: decision.dueAt,
    });
    await this.store.audit(now, row.alarm_id, 'alarm.escalate', {
      stage: 'contact',
      contactId: contact.id,
      callOrder: contact.callOrder,
    });
    const token = this.acceptToken(alarm.id, contact.id, now);
    const esc = await this.pushState(row.alarm_id, contact.userId ? [contact.userId] : []);
    await this.deps.notifier.enqueue('escalation.contact', {
      alarm: dto,
      contact,
      acceptToken: token,
      acceptUrl: `${this.deps.config.publicUrl.replace(/\/$/, '')}/api/v1/escalation/accept?token=${token}`,
      escalation: esc,
    });
    this.counters.contactsCalled += 1;
    this.deps.log.warn(
      { alarmId: alarm.id, contactId: contact.id, callOrder: contact.callOrder },
      'alarm not taken: calling the next contact',
    );
  }

  acceptToken(alarmId: string, contactId: string, now: number): string {
    if (!this.key) throw new Error('escalator not started');
    return signAcceptToken(this.key, {
      alarmId,
      contactId,
      expiresAt: now + this.deps.config.linkTtlH * 3_600_000,
    });
  }

  private async pushState(alarmId: string, userIds: string[]): Promise<EscalationDto | undefined> {
    const esc = await this.get(alarmId);
    if (!esc) return undefined;
    this.deps.push.toSupervisors(esc);
    if (userIds.length > 0) this.deps.push.toUsers(userIds, esc);
    return esc;
  }

  async get(alarmId: string): Promise<EscalationDto | undefined> {
    const row = await this.store.row(alarmId);
    if (!row) return undefined;
    let contact: EscalationDto['contact'] = null;
    if (row.stage === 'contact') {
      const c = (await this.deps.care.contacts(row.home_id))[row.contact_index];
      if (c) contact = { id: c.id, name: c.name, relation: c.relation, callOrder: c.callOrder };
    }
    return {
      alarmId: row.alarm_id,
      homeId: row.home_id,
      stage: row.stage as EscalationStage,
      contact,
      dueAt: iso(row.due_at),
      acceptedBy: row.accepted_by,
      acceptedAt: iso(row.accepted_at),
      acceptedVia: row.accepted_via,
      stoppedReason: row.stopped_reason,
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  /** Accept by a logged-in user: a family user who is a contact of the home, or a supervisor/admin. */
  async acceptByUser(
    alarmId: string,
    user: UserDto,
    note: string | undefined,
    via: 'api' | 'responding' = 'api',
  ): Promise<AcceptResult> {
    const alarm = await this.alarm(alarmId);
    if (!alarm) return { ok: false, reason: 'not_found', message: `alarm ${alarmId} not found` };
    let by = user.username;
    if (user.role === 'family') {
      const contact = (await this.deps.care.contacts(alarm.home_id)).find(
        (c) => c.userId === user.id,
      );
      // Not their relative: the same answer as an unknown alarm, so nothing leaks.
      if (!contact)
        return { ok: false, reason: 'not_found', message: `alarm ${alarmId} not found` };
      by = `${contact.name} (${user.username})`;
    } else if (user.role !== 'supervisor' && user.role !== 'admin') {
      return {
        ok: false,
        reason: 'forbidden',
        message: `role ${user.role} may not accept escalations`,
      };
    }
    return this.accept(alarm, by, via, { userId: user.id, username: user.username }, note);
  }

  /** Accept by the signed token of a link or an SMS/WeChat gateway's callback. */
  async acceptByToken(token: string): Promise<AcceptResult> {
    const check = await this.checkToken(token);
    if (!check.ok) return check;
    const { alarm, contact } = check;
    return this.accept(alarm, contact.name, 'link', {
      userId: null,
      username: `contact:${contact.id}`,
    });
  }

  /** What a link is for (GET: changes nothing). */
  async describeToken(
    token: string,
  ): Promise<
    | { ok: true; alarm: AlarmRow; contact: EscalationContact; stage: EscalationStage }
    | { ok: false; reason: 'not_found' | 'forbidden'; message: string }
  > {
    const check = await this.checkToken(token);
    if (!check.ok) return check;
    const stage = (await this.get(check.alarm.id))?.stage ?? 'pending';
    return { ok: true, alarm: check.alarm, contact: check.contact, stage };
  }

  private async checkToken(
    token: string,
  ): Promise<
    | { ok: true; alarm: AlarmRow; contact: EscalationContact }
    | { ok: false; reason: 'not_found' | 'forbidden'; message: string }
  > {
    if (!this.key) throw new Error('escalator not started');
    const v = verifyAcceptToken(this.key, token, this.now());
    if (!v.ok)
      return {
        ok: false,
        reason: 'forbidden',
        message: `accept link ${v.reason.replace('_', ' ')}`,
      };
    const alarm = await this.alarm(v.claim.alarmId);
    const contact = alarm
      ? (await this.deps.care.contacts(alarm.home_id)).find((c) => c.id === v.claim.contactId)
      : undefined;
    if (!alarm || !contact)
      return {
        ok: false,
        reason: 'not_found',
        message: 'the alarm or contact of this link is gone',
      };
    return { ok: true, alarm, contact };
  }

  private alarm(alarmId: string): Promise<AlarmRow | undefined> {
    return this.store.alarm(alarmId);
  }

  private async accept(
    alarm: AlarmRow,
    by: string,
    via: 'api' | 'link' | 'responding',
    actor: Actor,
    note?: string,
  ): Promise<AcceptResult> {
    const now = this.now();
    const row = await this.store.row(alarm.id);
    if (!row)
      return { ok: false, reason: 'conflict', message: `alarm ${alarm.id} has not escalated` };
    if (row.stage === 'accepted')
      return {
        ok: false,
        reason: 'conflict',
        message: `already accepted by ${row.accepted_by ?? 'someone'}`,
      };
    if (!(await this.store.markAccepted(alarm.id, now, by, via)))
      return { ok: false, reason: 'conflict', message: 'someone else accepted first' };
    await this.store.audit(
      now,
      alarm.id,
      'alarm.escalation_accept',
      { by, via, from: row.stage, note },
      actor,
    );
    this.counters.accepted += 1;
    const contacts = await this.deps.care.contacts(alarm.home_id);
    const users = contacts.map((c) => c.userId).filter((u): u is string => u !== null);
    const esc = await this.pushState(alarm.id, users);
    if (!esc) return { ok: false, reason: 'not_found', message: `alarm ${alarm.id} not found` };
    await this.deps.notifier.enqueue('escalation.accepted', {
      alarm: alarmRowToDto(alarm),
      acceptedBy: by,
      via,
      escalation: esc,
    });
    return { ok: true, escalation: esc };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopPolling?.();
    this.stopPolling = undefined;
    await this.running;
  }
}

/** Stages in which the chain is still running. */
export const ACTIVE_ESCALATION_STAGES = ACTIVE;
