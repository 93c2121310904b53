import type { FastifyRequest } from 'fastify';
import type { RecordingUrlSigner } from '../../../storage/recording-url.ts';

/**
 * The expiring link to a call's recording, or null when the call has none. Links point at
 * this server as the client reached it, unless the signer has a configured public URL.
 */
export function recordingUrl(
  request: FastifyRequest,
  signer: RecordingUrlSigner,
  call: { id: string; recording_key: string | null },
): string | null {
  if (!call.recording_key) return null;
  return signer.urlFor(call.id, `${request.protocol}://${request.host}`);
}
