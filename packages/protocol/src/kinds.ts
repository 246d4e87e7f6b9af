/** Event kinds of contract section 3.4. */
export const Kind = {
  TEXT: 1,
  FILE: 3,
  REVOKE: 5,
  EDIT: 7,
  READ: 10,
  TYPING: 11,
  REACTION: 12,
  FORWARD: 13,
} as const;

export type KindName = keyof typeof Kind;
export type EventKind = (typeof Kind)[KindName];

export const ALL_KINDS: readonly EventKind[] = Object.values(Kind);

/** Kinds that are stored by the relay and get a `seq`. */
export const PERSISTED_KINDS: ReadonlySet<number> = new Set([
  Kind.TEXT,
  Kind.FILE,
  Kind.REVOKE,
  Kind.EDIT,
  Kind.REACTION,
  Kind.FORWARD,
]);

/** Kinds that count towards `unread` when sent by someone else. */
export const UNREAD_KINDS: ReadonlySet<number> = new Set([Kind.TEXT, Kind.FILE, Kind.FORWARD]);

export function isPersistedKind(kind: number): boolean {
  return PERSISTED_KINDS.has(kind);
}
