import type { Static } from 'typebox';
import type { AgentView } from '../../../store/repositories/agents.ts';
import type { VoiceFavouriteRepository } from '../../../store/repositories/voice-favourites.ts';
import type { VoiceCatalog } from '../../../voice/catalog.ts';
import { presentVoice, type VoiceBody } from '../voices/present.ts';
import type { AgentResponse } from './schemas.ts';

type AgentResponseBody = Static<typeof AgentResponse>;

// Shapes AgentResponseSchema: the version's settings, its place in the agent's history, and
// the embedded voice (favourite flag per project).
export class AgentPresenter {
  constructor(private readonly voices: VoiceCatalog, private readonly favourites: VoiceFavouriteRepository) {}

  async one(view: AgentView): Promise<AgentResponseBody> {
    const { agent, version } = view;
    const s = version.settings;
    return {
      agent_id: agent.id,
      modified_at: agent.modified_at,
      created_at: agent.created_at,
      version_id: version.id,
      version_name: version.version_name,
      version_number: version.version_number,
      version_created_at: version.created_at,
      is_draft: version.is_draft,
      is_published: version.is_published,
      name: s.name,
      description: s.description,
      prompt: s.prompt,
      greeting: s.greeting,
      time_before_start: s.time_before_start,
      voice: await this.voice(agent.project_id, s.voice_id),
      volume: s.volume,
      language: s.language,
      max_reminder_count: s.max_reminder_count,
      reminder_frequency_ms: s.reminder_frequency_ms,
      reminder_messages: s.reminder_messages,
      knowledge_base_ids: s.knowledge_base_ids,
      knowledge_item_ids: s.knowledge_item_ids,
      mode: s.mode,
      conversational_path_id: s.conversational_path_id,
      // Integrations and workflows cannot be referenced yet (see settings.ts).
      integrations: [],
      call_tools: (s.call_tools ?? []) as AgentResponseBody['call_tools'],
      dynamic_variables: s.dynamic_variables,
      background_audio: s.background_audio,
      flows: [],
      source_template_id: agent.source_template_id,
      validation_issues: null,
    };
  }

  async many(views: AgentView[]): Promise<AgentResponseBody[]> {
    return Promise.all(views.map((v) => this.one(v)));
  }

  private async voice(projectId: string, voiceId: string): Promise<VoiceBody> {
    const voice = this.voices.get(voiceId);
    const is_favourite = await this.favourites.has(projectId, voiceId);
    // A voice can leave the catalogue (a TTS engine uninstalled); the agent stays readable.
    if (!voice) {
      return { id: voiceId, name: 'Unavailable voice', provider: 'espeak', provider_voice_id: '', preview_urls: null, gender: null, is_favourite };
    }
    return presentVoice(voice, is_favourite);
  }
}
