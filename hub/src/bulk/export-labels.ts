/**
 * Column headers of the CSV exports in the reader's language (issue 13): a district's staff open
 * these files in a spreadsheet, where `acknowledged_at` means less than 确认时间. The language is
 * the `lang` query, else the browser's Accept-Language; with neither (scripts, curl) the stable
 * codes stay, so tools that read columns by name keep working. Values stay codes either way.
 */
import type { FastifyRequest } from 'fastify';

export type ExportLang = 'en' | 'zh-CN';

/** [English, Chinese] per column code; every column of export.ts and of the figures CSV. */
const LABELS: Record<string, readonly [string, string]> = {
  id: ['ID', '编号'],
  received_at: ['Received at', '接收时间'],
  raised_at: ['Raised at', '触发时间'],
  kind: ['Kind', '类型'],
  priority: ['Priority', '优先级'],
  status: ['Status', '状态'],
  test: ['Test', '测试'],
  area_id: ['Area', '区域'],
  home_id: ['Home', '住户'],
  resident_id: ['Resident', '老人'],
  gateway_id: ['Gateway', '网关'],
  device_id: ['Device', '设备'],
  trigger_count: ['Triggers', '触发次数'],
  acknowledged_at: ['Acknowledged at', '确认时间'],
  acknowledged_by: ['Acknowledged by', '确认人'],
  resolved_at: ['Resolved at', '处理完成时间'],
  resolved_by: ['Resolved by', '处理人'],
  outcome: ['Outcome', '处理结果'],
  cancelled_by_resident_at: ['Cancelled by resident at', '老人取消时间'],
  notes: ['Notes', '备注'],
  created_at: ['Created at', '创建时间'],
  category: ['Category', '类别'],
  urgency: ['Urgency', '紧急程度'],
  source: ['Source', '来源'],
  requested_for: ['Requested for', '预约时间'],
  assignee_name: ['Assignee', '负责人'],
  assigned_at: ['Assigned at', '派单时间'],
  started_at: ['Started at', '开始时间'],
  closed_at: ['Closed at', '关闭时间'],
  description: ['Description', '描述'],
  due_day: ['Due day', '到期日'],
  plan_id: ['Plan', '关爱计划'],
  result: ['Result', '结果'],
  done_at: ['Done at', '完成时间'],
  done_by: ['Done by', '完成人'],
  follow_up_request_id: ['Follow-up request', '跟进服务请求'],
  alarm_id: ['Alarm', '报警'],
  note: ['Note', '备注'],
  due_at: ['Due at', '截止时间'],
  // The figures CSV: its columns, sections and metrics.
  section: ['Section', '部分'],
  group: ['Group', '分组'],
  metric: ['Metric', '指标'],
  value: ['Value', '数值'],
  period: ['Period', '统计期间'],
  from: ['From', '开始'],
  to: ['To', '结束'],
  service_requests: ['Service requests', '服务请求'],
  welfare_checks: ['Welfare checks', '关爱探访'],
  work_orders: ['Work orders', '工单'],
  total: ['Total', '总数'],
  done: ['Done', '已完成'],
  cancelled: ['Cancelled', '已取消'],
  open: ['Open', '未完成'],
  medianHoursToComplete: ['Median hours to complete', '完成时长中位数（小时）'],
  p90HoursToComplete: ['90th percentile hours to complete', '完成时长90分位（小时）'],
  residentsWithPlan: ['Residents with a plan', '有计划的老人数'],
  planned: ['Planned', '计划次数'],
  share: ['Done ÷ planned', '完成率'],
  perElderPerMonth: ['Per elder per month', '每位老人每月次数'],
  notReached: ['Not reached', '未联系上'],
  concerns: ['Concerns raised', '发现问题'],
  created: ['Created', '新建'],
  completed: ['Completed', '已完成'],
  openNow: ['Open now', '当前未完成'],
  overdueNow: ['Overdue now', '当前逾期'],
};

/** A code's label; the code itself when there is no language (or no label). */
export function exportLabel(code: string, lang: ExportLang | null): string {
  const label = LABELS[code];
  if (!lang || !label) return code;
  return lang === 'zh-CN' ? label[1] : label[0];
}

/** `lang` query first, then the first Accept-Language that is Chinese or English, else none. */
export function exportLang(request: FastifyRequest, query: string | undefined): ExportLang | null {
  if (query === 'en' || query === 'zh-CN') return query;
  const accept = request.headers['accept-language'] ?? '';
  for (const part of accept.split(',')) {
    const tag = (part.split(';')[0] ?? '').trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return null;
}
