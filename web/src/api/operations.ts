/** Typed calls to the care-operations routes (protocol service-requests.ts, welfare.ts, work-orders.ts). */
import type {
  AddNoteRequest,
  AssignRequest,
  CreateAlarmWorkOrderRequest,
  CreateServiceRequestRequest,
  RecordWelfareResultRequest,
  ServiceRequestListResponse,
  ServiceRequestResponse,
  TaskStatusRequest,
  WelfareCheckListResponse,
  WelfareCheckResponse,
  WorkOrderListResponse,
  WorkOrderResponse,
} from '@anxin/protocol';
import { apiRequest } from './http';
import { query } from './hub';

const enc = encodeURIComponent;
const withSignal = (signal?: AbortSignal) => (signal ? { signal } : {});

export const listServiceRequests = (
  params: { status?: string; homeId?: string; mine?: boolean } = {},
  signal?: AbortSignal,
) =>
  apiRequest<ServiceRequestListResponse>(
    'GET',
    `/service-requests${query({
      status: params.status,
      homeId: params.homeId,
      mine: params.mine ? 'true' : undefined,
    })}`,
    withSignal(signal),
  );

export const createServiceRequest = (request: CreateServiceRequestRequest) =>
  apiRequest<ServiceRequestResponse>('POST', '/service-requests', { body: request });

export const assignServiceRequest = (id: string, request: AssignRequest) =>
  apiRequest<ServiceRequestResponse>('POST', `/service-requests/${enc(id)}/assign`, {
    body: request,
  });

export const setServiceRequestStatus = (id: string, request: TaskStatusRequest) =>
  apiRequest<ServiceRequestResponse>('POST', `/service-requests/${enc(id)}/status`, {
    body: request,
  });

export const addServiceRequestNote = (id: string, request: AddNoteRequest) =>
  apiRequest<ServiceRequestResponse>('POST', `/service-requests/${enc(id)}/notes`, {
    body: request,
  });

export const listWelfareChecks = (
  params: { view?: 'today' | 'visits'; kind?: 'call' | 'visit' } = {},
  signal?: AbortSignal,
) =>
  apiRequest<WelfareCheckListResponse>(
    'GET',
    `/welfare-checks${query({ view: params.view, kind: params.kind })}`,
    withSignal(signal),
  );

export const recordWelfareResult = (id: string, request: RecordWelfareResultRequest) =>
  apiRequest<WelfareCheckResponse>('POST', `/welfare-checks/${enc(id)}/result`, { body: request });

export const listWorkOrders = (params: { mine?: boolean } = {}, signal?: AbortSignal) =>
  apiRequest<WorkOrderListResponse>(
    'GET',
    `/work-orders${query({ mine: params.mine ? 'true' : undefined })}`,
    withSignal(signal),
  );

export const setWorkOrderStatus = (id: string, request: TaskStatusRequest) =>
  apiRequest<WorkOrderResponse>('POST', `/work-orders/${enc(id)}/status`, { body: request });

export const createAlarmWorkOrder = (alarmId: string, request: CreateAlarmWorkOrderRequest) =>
  apiRequest<WorkOrderResponse>('POST', `/alarms/${enc(alarmId)}/work-orders`, { body: request });

export const assignWorkOrder = (id: string, request: AssignRequest) =>
  apiRequest<WorkOrderResponse>('POST', `/work-orders/${enc(id)}/assign`, { body: request });
