/**
 * Kysely table types of care operations (migration 0930_care_operations, issue 13), declared by
 * augmenting the store's `Database` like the care model does. Times are epoch ms (bigint); days
 * ('YYYY-MM-DD', the hub's time zone) are text so they compare the same in SQLite and PostgreSQL.
 *
 *  - service_requests: non-emergency requests (protocol/src/service-requests.ts). `event_id` is
 *    the device trigger that opened one (unique: a replayed press opens nothing new).
 *  - welfare_plans / welfare_checks: plans and the checks they generate (protocol/src/welfare.ts).
 *    UNIQUE (plan_id, due_day): generating the same check twice (two hubs, a retry) is a no-op.
 *  - work_orders: protocol/src/work-orders.ts. `dedup_key` (unique; NULL once closed) keeps one
 *    open maintenance order per device.
 *  - operation_notes: notes of requests and orders (target_type 'service_request' | 'work_order').
 *  - service_buttons: devices whose listed button actions open a service request, not an SOS.
 * Status columns hold the protocol's enums; `closed_at` is set when done or cancelled.
 */
import type { Generated } from 'kysely';
export interface ServiceRequestsTable {
  id: string;
  home_id: string;
  resident_id: string | null;
  category: string;
  description: string;
  urgency: string;
  requested_for: number | null;
  status: string;
  source: string;
  gateway_id: string | null;
  device_id: string | null;
  event_id: string | null;
  welfare_check_id: string | null;
  assignee_user_id: string | null;
  assignee_name: string | null;
  assignee_phone: string | null;
  outcome: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  assigned_at: number | null;
  started_at: number | null;
  closed_at: number | null;
}

export interface WelfarePlansTable {
  id: string;
  resident_id: string;
  home_id: string;
  kind: string;
  cadence: string;
  count: number;
  start_day: string;
  active: number;
  assignee_user_id: string | null;
  notes: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface WelfareChecksTable {
  id: string;
  plan_id: string | null;
  resident_id: string;
  home_id: string;
  kind: string;
  due_day: string;
  window_start_day: string;
  status: string;
  result: string | null;
  note: string | null;
  done_at: number | null;
  done_by: string | null;
  assignee_user_id: string | null;
  alarm_id: string | null;
  follow_up_request_id: string | null;
  created_at: number;
}

export interface WorkOrdersTable {
  id: string;
  home_id: string | null;
  resident_id: string | null;
  kind: string;
  description: string;
  status: string;
  source: string;
  alarm_id: string | null;
  gateway_id: string | null;
  device_id: string | null;
  dedup_key: string | null;
  assignee_user_id: string | null;
  assignee_name: string | null;
  assignee_phone: string | null;
  due_at: number | null;
  outcome: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  assigned_at: number | null;
  started_at: number | null;
  closed_at: number | null;
}

export interface OperationNotesTable {
  id: Generated<number>;
  target_type: string;
  target_id: string;
  at: number;
  user_id: string | null;
  author: string;
  text: string;
  family_visible: number;
}

export interface ServiceButtonsTable {
  gateway_id: string;
  device_id: string;
  actions_json: string;
  category: string;
  updated_at: number;
  updated_by: string | null;
}

declare module '../store/schema.js' {
  interface Database {
    service_requests: ServiceRequestsTable;
    welfare_plans: WelfarePlansTable;
    welfare_checks: WelfareChecksTable;
    work_orders: WorkOrdersTable;
    operation_notes: OperationNotesTable;
    service_buttons: ServiceButtonsTable;
  }
}
