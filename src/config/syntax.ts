import type { SourcePosition } from './errors.js';

/** The syntax tree of aku.conf: what was written and where, before any meaning is given to it. */

export interface Located<T> {
  value: T;
  position: SourcePosition;
}

export interface ScalarAssignment {
  kind: 'scalar';
  key: Located<string>;
  value: Located<string>;
  /** Written in double quotes (old-style samples quote every string). */
  quoted: boolean;
}

export interface ReplicationsAssignment {
  kind: 'replications';
  key: Located<string>;
  groups: GroupNode[];
}

export type Assignment = ScalarAssignment | ReplicationsAssignment;

export interface GroupSetting {
  key: Located<string>;
  value: Located<string>;
}

export interface GroupNode {
  position: SourcePosition;
  settings: GroupSetting[];
  /** Position of the item list's opening parenthesis. */
  itemsPosition: SourcePosition;
  items: ItemNode[];
}

export interface ItemNode {
  position: SourcePosition;
  user: Located<string>;
  table: Located<string>;
  partition?: Located<string>;
  /** `USER.TABLE [PARTITION P]`, or the old `( USER_NAME = … TABLE_NAME = … )` block. */
  style: 'dotted' | 'block';
}

export interface ConfigDocument {
  assignments: Assignment[];
}
