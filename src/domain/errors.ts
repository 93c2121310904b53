// Domain errors are data: a code from the contract's vocabulary and a message.
// The HTTP layer maps the code to a status and the Diga error envelope.

const STATUS_BY_CODE = {
  AGENT_NOT_FOUND: 404,
  AGENT_TEMPLATE_INVALID: 400,
  AGENT_TEMPLATE_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  BAD_PARAMETER: 400,
  BULK_DOWNLOAD_LIMIT_EXCEEDED: 400,
  CALL_NOT_FOUND: 404,
  CALL_NOT_ACTIVE: 409,
  CANNOT_REMOVE_LAST_ADMIN: 400,
  INTEGRATION_NOT_FOUND: 404,
  INVITATION_NOT_FOUND: 404,
  KNOWLEDGE_BASE_NOT_FOUND: 404,
  MEMBER_NOT_FOUND: 404,
  TRACE_NOT_FOUND: 404,
  INVALID_EMAIL: 400,
  DUPLICATE_FIELD: 409,
  INTERNAL_SERVER_ERROR: 500,
  INVALID_API_KEY: 401,
  INVALID_PAGINATION_PARAMETERS: 422,
  LAST_PROJECT: 400,
  MISSING_ID: 400,
  MISSING_PERMISSIONS: 403,
  NON_SPANISH_PHONE_NUMBER: 400,
  NOT_FOUND: 404,
  NOT_VALID_FIELD: 400,
  NO_MESSAGES_FOR_CALL: 404,
  NO_RECORDINGS_FOUND: 404,
  PHONE_NUMBER_NOT_FOUND: 404,
  PROJECT_NOT_FOUND: 404,
  PUBLISHED_AGENT_VERSION_DELETION: 409,
  SIP_CONFIG_NOT_SET: 412,
  UNATHORIZED_ROLE: 403,
  UNAUTHORIZED: 401,
  VOICE_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
} as const;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  /** `status` overrides the code's usual status where the contract uses another one. */
  constructor(code: ErrorCode, message: string, status?: number) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status ?? STATUS_BY_CODE[code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
