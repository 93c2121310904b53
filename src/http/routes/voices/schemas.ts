import { Type } from 'typebox';
import { EXTENSION, Nullable, pageQueryProperties, StringEnum, Uuid } from '../../schemas/common.ts';

/**
 * The contract's providers plus Habla's engines: `espeak`, the offline engine Habla ships
 * with, and `openai`, any OpenAI-compatible speech server (OpenAI, Kokoro, LocalAI…).
 */
export const VoiceProvider = StringEnum(['elevenlabs', 'gemini', 'espeak', 'openai'] as const, {
  ...EXTENSION,
  description: "The voice provider. 'espeak' (local espeak-ng) and 'openai' (an OpenAI-compatible speech server) are Habla extensions.",
});

export const VoiceResponse = Type.Object({
  id: Uuid({ description: 'The unique identifier for the voice' }),
  name: Type.String({ description: 'The name of the voice' }),
  provider: VoiceProvider,
  provider_voice_id: Type.String({ description: "The voice ID in the provider's system" }),
  preview_urls: Type.Optional(Nullable(Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' } }), {
    description: 'Per-locale preview audio URLs, keyed by language code. NULL if no previews exist.',
  })),
  gender: Type.Optional(Nullable(Type.String(), { description: 'The gender of the voice' })),
  is_favourite: Type.Boolean({ description: 'Whether the voice is a favourite for the current project' }),
  language: Type.Optional(Type.String({ ...EXTENSION, description: "Language code the voice speaks (es, en, …); 'mul' for a multilingual voice that speaks the language of the text" })),
});

export const VoiceListQuery = Type.Object({
  ...pageQueryProperties(10, 50),
  search: Type.Optional(Nullable(Type.String())),
  gender: Type.Optional(Nullable(Type.String())),
});

export const FavouriteListQuery = Type.Object(pageQueryProperties(10, 50));

export const VoiceIdParams = Type.Object({ voice_id: Uuid() });
