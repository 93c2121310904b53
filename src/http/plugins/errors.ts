import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../domain/errors.ts';
import { toValidationDetails, type ValidationDetail } from './validation-errors.ts';

// One place maps every failure to the contract's two error shapes:
//   {status: "error", error_code, message}   for domain and HTTP errors
//   {detail: [{loc, msg, type}]}             for request validation (FastAPI's 422)
// Bodies are sent pre-serialised so a route's response schema can never reshape or
// reject an error body. Unknown errors become a generic 500; detail goes to the log only.

export function sendError(reply: FastifyReply, status: number, errorCode: string, message: string): FastifyReply {
  return sendJson(reply, status, { status: 'error', error_code: errorCode, message });
}

function sendValidation(reply: FastifyReply, detail: ValidationDetail[]): FastifyReply {
  return sendJson(reply, 422, { detail });
}

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    sendError(reply, 404, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`);
  });

  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (isAppError(error)) return sendError(reply, error.status, error.code, error.message);
    if (error instanceof RequestValidationError) return sendValidation(reply, error.detail);
    if ('validation' in error && error.validation) {
      const context = (error as FastifyError).validationContext ?? 'body';
      const input = context === 'body' ? request.body : undefined;
      return sendValidation(reply, toValidationDetails(error.validation as any[], context, input));
    }
    const mapped = mapFrameworkError(error as FastifyError);
    if (mapped) return mapped(reply);
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 500, 'INTERNAL_SERVER_ERROR', 'Internal Server Error');
  });
}

// Body parsing failures happen before validation; FastAPI reports them as 422 too.
function mapFrameworkError(error: FastifyError): ((reply: FastifyReply) => FastifyReply) | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return (reply) => sendValidation(reply, [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return (reply) => sendValidation(reply, [{ loc: ['body'], msg: 'Field required', type: 'missing' }]);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return (reply) => sendError(reply, 413, 'BAD_PARAMETER', 'Request body is too large');
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    const status = error.statusCode;
    return (reply) => sendError(reply, status, 'BAD_PARAMETER', error.message);
  }
  if (error instanceof SyntaxError) {
    return (reply) => sendValidation(reply, [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }]);
  }
  return undefined;
}

/**
 * Router failures before any route matched: a path segment over `maxParamLength` or with bad
 * percent-encoding. FastAPI reports a bad path parameter as a 422, so this does too (Fastify's
 * own reply would be neither of the contract's error shapes). Passed as `frameworkErrors`.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const msg = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'Path parameter is too long' : 'Path is not a valid URL';
  sendValidation(reply, [{ loc: ['path'], msg, type: 'value_error' }]);
}

/** A check the schema cannot express, reported exactly like a schema failure (422 detail). */
export class RequestValidationError extends Error {
  constructor(readonly detail: ValidationDetail[]) {
    super(detail.map((d) => d.msg).join('; '));
  }
}

export function invalidField(loc: (string | number)[], msg: string, type = 'value_error'): RequestValidationError {
  return new RequestValidationError([{ loc, msg, type }]);
}
