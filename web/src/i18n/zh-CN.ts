/** 简体中文。Typed `Messages`: a key missing here, or one English does not have, is a type error. */
import type { Messages } from './en';
import { zhCNConsole } from './zh-CN-console';
import { zhCNFleet } from './zh-CN-fleet';
import { zhCNOperations } from './zh-CN-operations';
import { zhCNPlans } from './zh-CN-plans';

export const zhCN: Messages = {
  ...zhCNConsole,
  ...zhCNOperations,
  ...zhCNFleet,
  ...zhCNPlans,
};
