/**
 * The statements of object changes, shared by every dialect's planner: an object carries its
 * own dialect SQL (built by the introspector with the dialect's quoting), so planning it is
 * choosing which of its statement lists runs.
 */
import type { Change } from '../diff/changes.js';

type ObjectChange = Extract<Change, { kind: 'createObject' | 'dropObject' | 'replaceObject' }>;

/** SQL for an object change: create, drop, or replace in place (else drop and create). */
export function objectStatements(c: ObjectChange): readonly string[] {
  switch (c.kind) {
    case 'createObject': return c.object.create;
    case 'dropObject': return c.object.drop;
    case 'replaceObject': return c.to.replace ?? [...c.from.drop, ...c.to.create];
  }
}
