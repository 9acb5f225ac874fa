/**
 * Galera's plans: the MySQL planner's, with a hazard for every change that would leave a table
 * the cluster cannot replicate. Galera replicates row changes by primary key (a table without
 * one is refused or replicated unreliably: `wsrep_mode=REQUIRED_PRIMARY_KEY`) and replicates
 * InnoDB only (a MyISAM or MEMORY table's rows stay on the node that wrote them). The hazards
 * are errors `--allow-data-loss` does not accept, so such a plan never runs.
 */
import type { Change } from '../../diff/changes.js';
import type { Diff } from '../../diff/differ.js';
import { HazardCode, type Hazard, type Plan, type PlanOptions } from '../../plan/plan.js';
import { planMysql } from '../mysql/planner.js';

const REPLICATED_ENGINES = new Set(['innodb']);

function hazard(code: Hazard['code'], table: string, message: string, fix: string): Hazard {
  return { code, severity: 'error', table, column: null, message, fix, rows: null, allowable: false };
}

const noKey = (table: string, what: string): Hazard => hazard(HazardCode.NoPrimaryKeyOnCluster, table,
  `${what} without a primary key: Galera replicates rows by their primary key, so the nodes' rows could differ ` +
  '(and a cluster with wsrep_mode=REQUIRED_PRIMARY_KEY refuses the table)', `Give table '${table}' a primary key in the models.`);

const engine = (table: string, name: string): Hazard => hazard(HazardCode.EngineNotReplicated, table,
  `Table '${table}' would use engine ${name}: Galera replicates only InnoDB tables, so its rows would stay on the node that wrote them`,
  `Leave the engine out of the models (InnoDB), or keep table '${table}' outside the cluster.`);

/** The cluster hazards of one change. */
function clusterHazards(change: Change): Hazard[] {
  if (change.kind === 'createTable') {
    const e = change.table.options?.engine;
    return [
      ...(change.table.primaryKey ? [] : [noKey(change.table.name, `Table '${change.table.name}' would be created`)]),
      ...(e && !REPLICATED_ENGINES.has(e) ? [engine(change.table.name, e)] : []),
    ];
  }
  if (change.kind === 'alterPrimaryKey' && change.to === null) return [noKey(change.table, `Table '${change.table}' would be left`)];
  if (change.kind === 'alterTableOptions') {
    const e = change.to.engine;
    return e && !REPLICATED_ENGINES.has(e) ? [engine(change.table, e)] : [];
  }
  return [];
}

/** Plan a diff for a Galera cluster (see the module comment). */
export function planGalera(diff: Diff, options: PlanOptions = {}): Plan {
  const plan = planMysql(diff, options);
  const extra = plan.changes.flatMap(clusterHazards);
  return extra.length ? { ...plan, hazards: [...plan.hazards, ...extra] } : plan;
}
