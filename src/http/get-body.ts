import type { FastifyRequest } from 'fastify';
import { invalidField } from './plugins/errors.ts';

// A few Diga operations (GET /v1/webhook/) take a JSON body on GET. Fastify neither parses
// nor validates GET bodies, so the route reads its raw request here; the schema is attached
// as `getBody` and documented by the OpenAPI plugin as the operation's request body.

const LIMIT_BYTES = 64 * 1024;

export async function readGetBody(request: FastifyRequest): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > LIMIT_BYTES) throw invalidField(['body'], 'Request body is too large', 'too_long');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw invalidField(['body'], 'JSON decode error', 'json_invalid');
  }
}
