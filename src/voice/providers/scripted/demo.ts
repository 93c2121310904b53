// The offline demo's "model": enough conversation to try a call end to end with no LLM
// configured. It answers in Spanish, says goodbye and calls the hang-up tool (whatever the
// agent named it) when the caller takes leave.

import type { ToolSpec } from '../../llm/types.ts';
import type { ReplyContent, ScriptContext, ScriptedReply } from './llm.ts';

const FAREWELL = /\b(adi[oó]s|hasta luego|hasta pronto|chao|cuelga|colgar|bye|goodbye)\b/i;
const HANG_UP_TOOL = /hang|colg|cuelg|end.?call|finaliz|terminar/i;

export function offlineDemoReplies(): ScriptedReply[] {
  return [
    { when: (c) => c.lastMessage?.role === 'user' && FAREWELL.test(c.lastMessage.content), respond: farewell },
    { when: (c) => c.lastMessage?.role === 'tool', text: 'De acuerdo.' },
    { when: (c) => c.lastUserText === undefined, text: 'Hola, soy el asistente de demostración de Habla. ¿En qué puedo ayudarle?' },
  ];
}

/** What the demo says to anything else. */
export const OFFLINE_DEMO_OTHERWISE: ScriptedReply = {
  respond: (c) => ({ text: `Le he entendido: «${c.lastUserText ?? ''}». Esto es una demostración sin modelo de lenguaje. ¿Algo más?` }),
};

function farewell(context: ScriptContext): ReplyContent {
  const tool = hangUpTool(context.request.tools ?? []);
  return { text: 'Gracias por llamar. ¡Hasta luego!', toolCalls: tool ? [{ name: tool.name, arguments: {} }] : [] };
}

function hangUpTool(tools: readonly ToolSpec[]): ToolSpec | undefined {
  return tools.find((t) => HANG_UP_TOOL.test(t.name)) ?? tools.find((t) => HANG_UP_TOOL.test(t.description ?? ''));
}
