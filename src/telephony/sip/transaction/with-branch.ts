/** Gives a request's top Via a branch when the TU left it out, so the TU need not invent one. */
import { getTopVia } from '../accessors.ts';
import { headerKey } from '../header-names.ts';
import type { SipRequest } from '../message.ts';

/** The request unchanged when it has a branch, with one added otherwise; null without a usable Via. */
export function withBranch(request: SipRequest, generate: () => string): SipRequest | null {
  const via = getTopVia(request);
  if (!via.ok) return null;
  if (via.value.branch) return request;
  const index = request.headers.findIndex((h) => headerKey(h.name) === 'via');
  const headers = request.headers.map((h, i) => (i === index ? { name: h.name, value: `${h.value};branch=${generate()}` } : h));
  return { ...request, headers };
}
