import { AgentRepository } from '../../../store/repositories/agents.ts';
import { ProjectRepository } from '../../../store/repositories/projects.ts';
import { VoiceFavouriteRepository } from '../../../store/repositories/voice-favourites.ts';
import type { App, AppDeps } from '../../deps.ts';
import { registerAgentCrudRoutes, type AgentRouteDeps } from './agent-routes.ts';
import { AgentPresenter } from './present.ts';
import { registerAgentTemplateRoutes } from './template-routes.ts';
import { registerAgentVersionRoutes } from './version-routes.ts';

// Agents (draft → launch version → publish) and the agent template catalogue.
export async function registerAgentsRoutes(app: App, deps: AppDeps): Promise<void> {
  const db = deps.store.db;
  const routeDeps: AgentRouteDeps = {
    agents: new AgentRepository(db),
    projects: new ProjectRepository(db),
    presenter: new AgentPresenter(deps.voices, new VoiceFavouriteRepository(db)),
    voices: deps.voices,
  };
  registerAgentCrudRoutes(app, routeDeps);
  registerAgentVersionRoutes(app, routeDeps);
  registerAgentTemplateRoutes(app, routeDeps);
}
