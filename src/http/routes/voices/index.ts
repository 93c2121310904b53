import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { paginateList } from '../../../domain/pagination.ts';
import { VoiceFavouriteRepository } from '../../../store/repositories/voice-favourites.ts';
import type { Voice } from '../../../voice/catalog.ts';
import type { App, AppDeps } from '../../deps.ts';
import { errors, listErrors, Paginated } from '../../schemas/common.ts';
import { presentVoice } from './present.ts';
import { FavouriteListQuery, VoiceIdParams, VoiceListQuery, VoiceResponse } from './schemas.ts';

const TAGS = ['Voices'];
const SECURITY = [{ CustomHTTPBearer: [] }];
const BASE_GENDERS = ['male', 'female'];

// The voices the configured TTS engines offer (deps.voices, an in-memory catalogue) and the
// project's favourites among them. Every operation needs `voices.view`, the contract's only
// voice permission: favourites are a preference, not a change to a shared resource.
export async function registerVoicesRoutes(app: App, deps: AppDeps): Promise<void> {
  const favourites = new VoiceFavouriteRepository(deps.store.db);
  const voiceOr404 = (id: string): Voice => {
    const voice = deps.voices.get(id);
    if (!voice) throw new AppError('VOICE_NOT_FOUND', 'Voice not found');
    return voice;
  };

  app.get('/v1/voice/', {
    config: { permission: 'voices.view' },
    schema: {
      operationId: 'list_voices_v1_voice__get', tags: TAGS, security: SECURITY,
      description: 'List the voices available in Habla, optionally filtered by name (search) and gender.',
      querystring: VoiceListQuery,
      response: { 200: Paginated(VoiceResponse), ...listErrors(400, 403, 422, 500) },
    },
  }, async (request) => {
    const { limit = 10, order = 'desc', search, gender, ...cursor } = request.query;
    const matching = deps.voices.list().filter(byGender(checkedGender(gender, deps.voices.list()))).filter(byName(search));
    const page = paginateList(matching, { ...cursor, limit, order }, (v) => v.id);
    const favourite = new Set(await favourites.listIds(request.principal.projectId));
    return { ...page, data: page.data.map((v) => presentVoice(v, favourite.has(v.id))) };
  });

  app.get('/v1/voice/favourite', {
    config: { permission: 'voices.view' },
    schema: {
      operationId: 'list_favourite_voices_v1_voice_favourite_get', tags: TAGS, security: SECURITY,
      querystring: FavouriteListQuery,
      response: { 200: Paginated(VoiceResponse), ...listErrors(403, 422, 500) },
    },
  }, async (request) => {
    const { limit = 10, order = 'desc', ...cursor } = request.query;
    // Oldest favourite first, so the default `desc` shows the latest one first. A favourite
    // whose voice left the catalogue (its engine was uninstalled) is not listed.
    const ids = await favourites.listIds(request.principal.projectId);
    const voices = ids.map((id) => deps.voices.get(id)).filter((v): v is Voice => v !== undefined);
    const page = paginateList(voices, { ...cursor, limit, order }, (v) => v.id);
    return { ...page, data: page.data.map((v) => presentVoice(v, true)) };
  });

  app.get('/v1/voice/:voice_id', {
    config: { permission: 'voices.view' },
    schema: {
      operationId: 'get_voice_v1_voice__voice_id__get', tags: TAGS, security: SECURITY,
      params: VoiceIdParams,
      response: { 200: VoiceResponse, ...errors(403, 404, 422, 500) },
    },
  }, async (request) => {
    const voice = voiceOr404(request.params.voice_id);
    return presentVoice(voice, await favourites.has(request.principal.projectId, voice.id));
  });

  app.post('/v1/voice/favourite/:voice_id', {
    config: { permission: 'voices.view' },
    schema: {
      operationId: 'add_favourite_voice_v1_voice_favourite__voice_id__post', tags: TAGS, security: SECURITY,
      description: 'Add a voice to the project’s favourites. Adding a favourite again is a no-op (201).',
      params: VoiceIdParams,
      response: { 201: VoiceResponse, ...errors(403, 404, 422, 500) },
    },
  }, async (request, reply) => {
    const voice = voiceOr404(request.params.voice_id);
    await favourites.add(request.principal.projectId, voice.id);
    return reply.code(201).send(presentVoice(voice, true));
  });

  app.delete('/v1/voice/favourite/:voice_id', {
    config: { permission: 'voices.view' },
    schema: {
      operationId: 'remove_favourite_voice_v1_voice_favourite__voice_id__delete', tags: TAGS, security: SECURITY,
      description: 'Remove a voice from the project’s favourites; 404 when it is not one.',
      params: VoiceIdParams,
      response: { 204: Type.Null({ description: 'Successful Response' }), ...errors(403, 404, 422, 500) },
    },
  }, async (request, reply) => {
    if (!(await favourites.remove(request.principal.projectId, request.params.voice_id))) {
      throw new AppError('VOICE_NOT_FOUND', 'Voice not found in favourites');
    }
    return reply.code(204).send(null);
  });
}

/** Genders are compared case-insensitively; one no voice could ever have is a 400. */
function checkedGender(gender: string | null | undefined, voices: readonly Voice[]): string | undefined {
  const wanted = gender?.trim().toLowerCase();
  if (!wanted) return undefined;
  const known = new Set([...BASE_GENDERS, ...voices.map((v) => v.gender?.toLowerCase()).filter((g): g is string => !!g)]);
  if (!known.has(wanted)) throw new AppError('NOT_VALID_FIELD', `Invalid filter value for gender: expected one of ${[...known].join(', ')}`);
  return wanted;
}

function byGender(gender: string | undefined): (voice: Voice) => boolean {
  return (voice) => gender === undefined || voice.gender?.toLowerCase() === gender;
}

/** Case- and accent-insensitive substring of the voice name. */
function byName(search: string | null | undefined): (voice: Voice) => boolean {
  const wanted = fold(search?.trim() ?? '');
  return (voice) => wanted === '' || fold(voice.name).includes(wanted);
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}
