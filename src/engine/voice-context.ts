/**
 * Builds what the voice application needs from an agent version and a call: the greeting,
 * prompt and reminder messages with dynamic and system variables filled in, the voice, call
 * tools, reminders, pauses and volume.
 */
import { renderTemplate, resolveVariables, systemVariables } from '../domain/templating.ts';
import type { AgentVersionRecord } from '../store/repositories/agents.ts';
import type { VoiceCallContext } from '../voice/call-audio.ts';
import type { VoiceCatalog } from '../voice/catalog.ts';

export interface VoiceContextInput {
  callId: string;
  direction: 'inbound' | 'outbound';
  version: AgentVersionRecord | undefined;
  /** The customer's number (callee of an outbound call, caller of an inbound one). */
  customerNumber: string | null;
  callVariables: Record<string, unknown> | null;
  now: Date;
}

export function buildVoiceContext(input: VoiceContextInput, voices: VoiceCatalog): VoiceCallContext {
  const settings = input.version?.settings;
  const language = settings?.language ?? 'es';
  const variables = resolveVariables({
    versionDefaults: settings?.dynamic_variables ?? null,
    callValues: input.callVariables,
    system: systemVariables({ agentName: settings?.name ?? '', userPhoneNumber: input.customerNumber, now: input.now }),
  });
  const render = (text: string) => renderTemplate(text, variables, { now: input.now });
  const greeting = settings?.greeting ? render(settings.greeting) : null;
  const voice = settings?.voice_id ? voices.get(settings.voice_id) : undefined;
  return {
    callId: input.callId,
    direction: input.direction,
    language,
    espeakVoice: espeakVoiceFor(settings?.voice_id, language, voices),
    greeting,
    timeBeforeStartMs: Math.round((settings?.time_before_start ?? 0) * 1000),
    volume: settings?.volume ?? 50,
    prompt: settings?.prompt ? render(settings.prompt) : null,
    callTools: settings?.call_tools ?? [],
    // No agent version (a bare API call): no reminders, rather than Diga's defaults for a version.
    reminders: settings
      ? { frequencyMs: settings.reminder_frequency_ms ?? 7500, maxCount: settings.max_reminder_count ?? 0, messages: (settings.reminder_messages ?? []).map(render) }
      : undefined,
    ...(voice ? { voice } : {}),
  };
}

/** The agent's espeak voice, or the language's default when its voice is not an espeak one. */
function espeakVoiceFor(voiceId: string | undefined, language: string, voices: VoiceCatalog): string {
  const voice = voiceId ? voices.get(voiceId) : undefined;
  if (voice?.provider === 'espeak') return voice.provider_voice_id;
  return language.toLowerCase().startsWith('en') ? 'en-us' : language.toLowerCase().split('-')[0] || 'es';
}
