/**
 * The dialog state of RFC 3261 §12: plain, immutable data. Functions in this folder take a
 * Dialog and return a new one, so the owner of a call keeps the only copy that matters.
 */

/** §12: a dialog is identified by the Call-ID and both tags, seen from our side. */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

export type DialogState = 'early' | 'confirmed' | 'terminated';

export interface Dialog {
  readonly id: DialogId;
  /** Which side sent the INVITE that created the dialog. */
  readonly role: 'uac' | 'uas';
  readonly state: DialogState;
  /** CSeq of the last request we sent in the dialog; undefined until the UAS sends one (§12.1.1). */
  readonly localSeq?: number;
  /** CSeq of the last request received; undefined until the first one (§12.1.2). */
  readonly remoteSeq?: number;
  /** Our name-addr without the tag (From of our requests): `"Habla" <sip:+3491…@host>`. */
  readonly localParty: string;
  /** The peer's name-addr without the tag (To of our requests). */
  readonly remoteParty: string;
  /** Where in-dialog requests go: the peer's Contact URI. */
  readonly remoteTarget: string;
  /** Route URIs in the order our requests visit them (Record-Route reversed for the UAC). */
  readonly routeSet: readonly string[];
  /** §12.1: sips Request-URI over TLS; requests in the dialog must stay on TLS. */
  readonly secure: boolean;
  /** Our Contact URI, written into target refresh requests and dialog-establishing responses. */
  readonly localContact: string;
  /** CSeq number of the last INVITE in the dialog: the ACK for its 2xx reuses it (§13.2.2.4). */
  readonly inviteSeq: number;
}

/** A string key for maps; NUL cannot appear in a Call-ID or tag, so keys never collide. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\u0000${id.localTag}\u0000${id.remoteTag}`;
}

export function sameDialogId(a: DialogId, b: DialogId): boolean {
  return a.callId === b.callId && a.localTag === b.localTag && a.remoteTag === b.remoteTag;
}

/** The UAS sent its 2xx, or the UAC received one (§12.1). */
export function confirmDialog(dialog: Dialog): Dialog {
  return dialog.state === 'early' ? { ...dialog, state: 'confirmed' } : dialog;
}

/** After BYE (sent or received), a final non-2xx to the INVITE, or 481/408 to an in-dialog request (§12.2.1.2). */
export function terminateDialog(dialog: Dialog): Dialog {
  return dialog.state === 'terminated' ? dialog : { ...dialog, state: 'terminated' };
}
