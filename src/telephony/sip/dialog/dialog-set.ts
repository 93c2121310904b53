/**
 * The dialogs a user agent holds, keyed by their id, and the matching of incoming messages
 * to them (§12.2.2): an in-dialog request for a dialog we do not know gets 481. A response
 * with an unknown To tag may be a new fork of our INVITE; the caller decides (createUacDialog).
 */
import type { SipRequest, SipResponse } from '../message.ts';
import { dialogKey, type Dialog, type DialogId } from './dialog.ts';
import { fail, ok, type Result } from './errors.ts';
import { requestDialogId, responseDialogId } from './in-dialog-receive.ts';

export class DialogSet {
  readonly #dialogs = new Map<string, Dialog>();

  get size(): number {
    return this.#dialogs.size;
  }

  /** Adds or replaces (dialog functions return new values; store the latest). */
  set(dialog: Dialog): void {
    this.#dialogs.set(dialogKey(dialog.id), dialog);
  }

  get(id: DialogId): Dialog | undefined {
    return this.#dialogs.get(dialogKey(id));
  }

  delete(id: DialogId): boolean {
    return this.#dialogs.delete(dialogKey(id));
  }

  values(): IterableIterator<Dialog> {
    return this.#dialogs.values();
  }

  /** Every dialog of one call leg: the early dialogs a forked INVITE created share Call-ID and local tag. */
  forks(callId: string, localTag: string): Dialog[] {
    return [...this.#dialogs.values()].filter((d) => d.id.callId === callId && d.id.localTag === localTag);
  }

  /**
   * The dialog an incoming request belongs to. `not_in_dialog` (no To tag) means the request
   * starts something new; `unknown_dialog` carries 481 to answer with.
   */
  matchRequest(request: SipRequest): Result<Dialog> {
    const id = requestDialogId(request);
    if (!id.ok) return id;
    const dialog = this.get(id.value);
    return dialog ? ok(dialog) : fail('unknown_dialog', 'no such dialog', 481);
  }

  matchResponse(response: SipResponse): Result<Dialog> {
    const id = responseDialogId(response);
    if (!id.ok) return id;
    const dialog = this.get(id.value);
    return dialog ? ok(dialog) : fail('unknown_dialog', 'no such dialog');
  }
}
