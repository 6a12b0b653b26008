/** 简体中文：网关管理页（管理员停用、重新启用网关）。Typed by the English part: same keys exactly. */
import type { enFleet } from './en-fleet';

export const zhCNFleet: Record<keyof typeof enFleet, string> = {
  'fleet.title': '网关管理',
  'fleet.open': '网关管理',
  'fleet.back': '返回主管页面',
  'fleet.intro':
    '按认领状态列出所有网关。停用会吊销其凭据；重新启用会为已停用的网关签发新的认领码，安装人员可再次认领。',
  'fleet.state': '认领状态',
  'fleet.state.unclaimed': '未认领',
  'fleet.state.claimed': '已认领',
  'fleet.state.decommissioned': '已停用',
  'fleet.none': '没有处于此状态的网关。',
  'fleet.id': '网关',
  'fleet.home': '家庭',
  'fleet.lastSeen': '最后在线',
  'fleet.decommissionedAt': '停用时间',
  'fleet.actions': '操作',
  'fleet.decommission': '停用',
  'fleet.rearm': '重新启用',
  'fleet.reason': '原因（记入审计日志）',
  'fleet.cancel': '取消',
  'fleet.decommissionTitle': '停用 {id}？',
  'fleet.decommissionWarning': '其凭据将立即吊销并断开连接。只有重新启用后才能再次使用。',
  'fleet.decommissionConfirm': '停用',
  'fleet.rearmTitle': '重新启用 {id}？',
  'fleet.rearmWarning':
    '网关将获得新的认领码并恢复为出厂状态：不属于任何家庭，其上登记的设备将被移除。旧认领码和旧凭据仍然无效。',
  'fleet.rearmConfirm': '签发新的认领码',
  'fleet.rearmed': '{id} 已重新启用',
  'fleet.newCode': '新的认领码',
  'fleet.newCodeOnce':
    '仅显示这一次。请将其写入网关的认领码文件（或新标签）；之后安装人员照常认领。',
  'fleet.devicesRemoved': '已移除的设备：{list}',
  'fleet.done': '完成',
};
