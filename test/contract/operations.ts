// The contract operations Habla implements, by resource. The contract test fails when any of
// them is missing from our generated OpenAPI document or differs from the Diga contract.

export type Operation = readonly [method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string];

export const IMPLEMENTED_OPERATIONS: Record<string, readonly Operation[]> = {
  Calls: [
    ['GET', '/v1/call/'],
    ['POST', '/v1/call/'],
    ['GET', '/v1/call/{id}'],
    ['GET', '/v1/call/{id}/message'],
    ['POST', '/v1/call/bulk-delete'],
  ],
  Agents: [
    ['POST', '/v1/agent/'],
    ['GET', '/v1/agent/'],
    ['GET', '/v1/agent/versions-dropdown/dashboard'],
    ['GET', '/v1/agent/{agent_id}'],
    ['PATCH', '/v1/agent/{agent_id}'],
    ['DELETE', '/v1/agent/{agent_id}'],
    ['POST', '/v1/agent/{agent_id}/duplicate'],
    ['POST', '/v1/agent/{agent_id}/version'],
    ['GET', '/v1/agent/{agent_id}/version'],
    ['DELETE', '/v1/agent/{agent_id}/version/{version_id}'],
    ['PATCH', '/v1/agent/{agent_id}/published_version'],
  ],
  'Agent templates': [
    ['GET', '/v1/agent/template'],
    ['GET', '/v1/agent/template/{template_id}'],
    ['POST', '/v1/agent/template/{template_id}/copy'],
  ],
  Voices: [
    ['GET', '/v1/voice/'],
    ['POST', '/v1/voice/favourite/{voice_id}'],
    ['DELETE', '/v1/voice/favourite/{voice_id}'],
    ['GET', '/v1/voice/favourite'],
    ['GET', '/v1/voice/{voice_id}'],
  ],
  Phones: [
    ['GET', '/v1/phone/'],
    ['GET', '/v1/phone/{phone_id}'],
    ['PATCH', '/v1/phone/{phone_id}'],
    ['PATCH', '/v1/phone/{phone_id}/sip-config'],
    ['DELETE', '/v1/phone/{id}'],
    ['POST', '/v1/phone/import'],
  ],
  Webhooks: [
    ['GET', '/v1/webhook/'],
    ['POST', '/v1/webhook/'],
    ['GET', '/v1/webhook/{id}'],
    ['PATCH', '/v1/webhook/{id}'],
    ['DELETE', '/v1/webhook/{id}'],
  ],
  'API keys': [
    ['GET', '/v1/api_key/'],
    ['POST', '/v1/api_key/'],
    ['GET', '/v1/api_key/{id}'],
    ['PATCH', '/v1/api_key/{id}'],
    ['DELETE', '/v1/api_key/{id}'],
  ],
  Projects: [
    ['GET', '/v1/project/'],
    ['POST', '/v1/project/'],
    ['GET', '/v1/project/{id}'],
    ['PATCH', '/v1/project/{id}'],
    ['DELETE', '/v1/project/{id}'],
  ],
  Recordings: [
    ['GET', '/v1/recording/{call_id}'],
    ['POST', '/v1/recording/bulk'],
  ],
  Logs: [
    ['GET', '/v1/log/call/{call_id}'],
  ],
  Traces: [
    ['GET', '/v1/trace/call/{call_id}'],
  ],
};
