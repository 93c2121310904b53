/**
 * Start-up recovery: calls this process was driving when it died (SIGKILL, power loss) are
 * still `dialing` or `in_progress` in the store. Nobody will ever end them, so they are closed
 * with `server_restart` before new calls are taken.
 */
import { terminalStatusFor } from '../domain/end-reasons.ts';
import type { CallRepository } from '../store/repositories/calls.ts';
import type { CallLogRepository } from '../store/repositories/call-logs.ts';
import { callLogEntry } from './call-log-events.ts';

export async function closeOrphanedCalls(calls: CallRepository, callLogs: CallLogRepository, instanceId: string): Promise<number> {
  const orphans = await calls.listLiveOwnedBy(instanceId);
  let closed = 0;
  for (const orphan of orphans) {
    const status = terminalStatusFor('server_restart', orphan.answered);
    if (!(await calls.finish(orphan.id, status, 'server_restart'))) continue;
    closed += 1;
    const projectId = await calls.projectOf(orphan.id);
    if (projectId) await callLogs.append(projectId, orphan.id, callLogEntry('call_ended', { status, end_reason: 'server_restart', by: 'system' }, 'WARNING'));
  }
  return closed;
}
