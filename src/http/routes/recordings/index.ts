import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { CallRepository } from '../../../store/repositories/calls.ts';
import { RECORDING_PATH_PREFIX } from '../../../storage/recording-url.ts';
import type { App, AppDeps } from '../../deps.ts';
import { errors, IdParams, Uuid } from '../../schemas/common.ts';
import { recordingUrl } from './links.ts';
import { zipStream } from './zip.ts';

const TAGS = ['Recordings'];
const SECURITY = [{ CustomHTTPBearer: [] }];
const BULK_LIMIT = 50;

const RecordingResponse = Type.Object({
  recording_url: Type.String({ description: 'The URL to the recording of the call' }),
});

const BulkRecordingRequest = Type.Object({
  call_ids: Type.Array(Uuid(), { minItems: 1, maxItems: BULK_LIMIT, description: 'List of call IDs to download recordings for' }),
});

/** A streamed file body, documented as OpenAPI binary. */
const Binary = Type.Unsafe<Readable>({ type: 'string', format: 'binary' });

const SignedLinkQuery = Type.Object({
  expires: Type.Integer({ description: 'Unix time (seconds) after which the link stops working' }),
  signature: Type.String({ maxLength: 128, description: 'HMAC-SHA256 of the call id and expiry, base64url' }),
});

export async function registerRecordingsRoutes(app: App, deps: AppDeps): Promise<void> {
  const calls = new CallRepository(deps.store.db);
  const noRecording = (id: string) => new AppError('NO_RECORDINGS_FOUND', `No recording found for call ${id}`);

  app.get('/v1/recording/:call_id', {
    config: { permission: 'recordings.view' },
    schema: {
      operationId: 'get_recording_v1_recording__call_id__get', tags: TAGS, security: SECURITY,
      params: IdParams('call_id'),
      response: { 200: RecordingResponse, ...errors(403, 404, 422) },
    },
  }, async (request) => {
    const { call_id: id } = request.params as { call_id: string };
    const call = await calls.get(request.principal.projectId, id);
    if (!call) throw new AppError('CALL_NOT_FOUND', `Call ${id} not found`);
    if (!call.recording_key || !(await deps.recordings.exists(call.recording_key))) throw noRecording(id);
    return { recording_url: recordingUrl(request, deps.recordingUrls, call)! };
  });

  app.post('/v1/recording/bulk', {
    config: { permission: 'recordings.view' },
    // The contract answers an oversized list with its own 400, not the schema's 422.
    preValidation: async (request) => {
      const ids = (request.body as { call_ids?: unknown } | null)?.call_ids;
      if (Array.isArray(ids) && ids.length > BULK_LIMIT) {
        throw new AppError('BULK_DOWNLOAD_LIMIT_EXCEEDED', `Bulk download is limited to ${BULK_LIMIT} recordings`);
      }
    },
    schema: {
      operationId: 'bulk_download_recordings_v1_recording_bulk_post', tags: TAGS, security: SECURITY,
      body: BulkRecordingRequest,
      response: {
        // Documented as the contract documents it (FastAPI's default for a streamed body);
        // the bytes sent are `application/zip`, one `<call_id>.<ext>` entry per recorded call.
        200: {
          description: 'A ZIP archive (sent as application/zip) with one `<call_id>.<ext>` entry per recorded call',
          content: { 'application/json': { schema: Type.Unsafe<Readable>({}) } },
        },
        ...errors(400, 403, 404, 422, 500),
      },
    },
  }, async (request, reply) => {
    const found = await calls.getMany(request.principal.projectId, request.body.call_ids);
    const recorded = [];
    for (const call of found) {
      if (call.recording_key && (await deps.recordings.exists(call.recording_key))) recorded.push({ id: call.id, key: call.recording_key });
    }
    if (recorded.length === 0) {
      throw new AppError('NO_RECORDINGS_FOUND', 'None of the requested calls have recordings available');
    }
    const entries = recorded.map(({ id, key }) => ({
      name: `${id}.${extensionOf(key)}`,
      open: async () => (await deps.recordings.get(key))?.body,
    }));
    return reply
      .type('application/zip')
      .header('content-disposition', 'attachment; filename="recordings.zip"')
      .send(zipStream(entries));
  });

  // The target of every recording_url. No bearer key: the expiring signature is the credential,
  // so the link works in an <audio> element or from a webhook consumer.
  app.get(`${RECORDING_PATH_PREFIX}:call_id`, {
    schema: {
      operationId: 'download_recording_audio', tags: TAGS, security: [],
      'x-habla-extension': true,
      summary: 'Download a recording through a signed link',
      description: 'The link in `recording_url`: valid until `expires`, authenticated by its signature.',
      params: IdParams('call_id'),
      querystring: SignedLinkQuery,
      response: {
        200: { description: 'The recording', content: { 'audio/wav': { schema: Binary } } },
        ...errors(401, 404, 422),
      },
    },
  }, async (request, reply) => {
    const { call_id: id } = request.params as { call_id: string };
    const { expires, signature } = request.query;
    if (!deps.recordingUrls.verify(id, expires, signature)) {
      throw new AppError('UNAUTHORIZED', 'Invalid or expired recording link');
    }
    const key = await calls.recordingKeyOf(id);
    const stored = key ? await deps.recordings.get(key) : undefined;
    if (!key || !stored) throw noRecording(id);
    return reply
      .type(contentTypeOf(key))
      .header('content-length', stored.size)
      .header('content-disposition', `inline; filename="${id}.${extensionOf(key)}"`)
      .header('cache-control', 'private, no-store')
      .send(stored.body);
  });
}

function extensionOf(key: string): string {
  const dot = key.lastIndexOf('.');
  return dot > key.lastIndexOf('/') ? key.slice(dot + 1) : 'bin';
}

const CONTENT_TYPES: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg', ogg: 'audio/ogg', opus: 'audio/ogg' };

function contentTypeOf(key: string): string {
  return CONTENT_TYPES[extensionOf(key)] ?? 'application/octet-stream';
}
