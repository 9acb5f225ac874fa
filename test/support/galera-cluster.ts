/**
 * A three-node MariaDB Galera cluster on loopback for the Galera tests and bench: non-standard
 * ports (MySQL 3401–3403, Galera replication 4501–4503, IST 4511–4513, SST 4521–4523), data
 * directories of its own under the temp dir (mariadb-install-db), the first node started with
 * `--wsrep-new-cluster`, the others joining it by an rsync state transfer. The servers run as
 * user `mysql` (rsync's state transfer needs it): the directories are chowned to it.
 *
 *   EVOLVE_TEST_GALERA_PORT  first MySQL port (default 3401)
 *   EVOLVE_TEST_GALERA_REPLICATION_PORT  base of the Galera ports (default 4500: 4501–4523)
 *   EVOLVE_TEST_GALERA_PROVIDER  the provider library (default /usr/lib/galera/libgalera_smm.so)
 *
 * Every node is stopped (SIGKILL as the last resort) when the cluster stops or the process
 * exits, and the directories removed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROVIDER = process.env.EVOLVE_TEST_GALERA_PROVIDER ?? '/usr/lib/galera/libgalera_smm.so';
const BASE_PORT = Number(process.env.EVOLVE_TEST_GALERA_PORT ?? 3401);
const GALERA_PORT = Number(process.env.EVOLVE_TEST_GALERA_REPLICATION_PORT ?? 4500);
const SIZE = 3;

/** One node of the cluster. */
export interface GaleraNode {
  /** 1-based. */
  readonly index: number;
  readonly port: number;
  /** `mysql://root@127.0.0.1:PORT/DATABASE` (DATABASE default `test`). */
  url(database?: string): string;
  /** Is its server process running? */
  readonly running: boolean;
}

/** A running cluster. */
export interface GaleraCluster {
  readonly nodes: readonly GaleraNode[];
  /** Milliseconds the cluster took to start (all nodes synced). */
  readonly startMs: number;
  /** Run SQL on node `index` (1-based) through the driver, returning the rows. */
  query(index: number, sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** SIGKILL node `index`. */
  kill(index: number): Promise<void>;
  /** Start node `index` again (joining the running cluster) and wait until it is synced. */
  restart(index: number): Promise<void>;
  /** Wait until every running node reports `Synced` and the cluster size is the number running. */
  waitSynced(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Why a Galera cluster cannot be started here, or null when the pieces are installed. */
export function galeraProblem(): string | null {
  if (!existsSync(PROVIDER)) return `the Galera provider ${PROVIDER} is not installed (apt-get install galera-4)`;
  for (const bin of ['mariadbd', 'mariadb-install-db', 'rsync']) {
    if (spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin}`]).status !== 0) return `${bin} is not installed`;
  }
  if (spawnSync('id', ['mysql']).status !== 0) return 'there is no user mysql to run the servers as';
  return null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code !== 'ESRCH'; }
};

/**
 * The servers and directories of clusters whose test process died without stopping them
 * (killed: no exit handler ran) are stopped and removed: they would hold the ports.
 */
async function sweepDeadClusters(): Promise<void> {
  for (const name of readdirSync(tmpdir())) {
    const owner = Number(/^evolve-galera-(\d+)-/.exec(name)?.[1]);
    if (!owner || owner === process.pid || alive(owner)) continue;
    const base = join(tmpdir(), name);
    for (let i = 1; i <= SIZE; i++) {
      let pid = 0;
      try { pid = Number(readFileSync(join(base, `node${i}`, 'mysqld.pid'), 'utf8').trim()) || 0; } catch { /* never started */ }
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    await sleep(200);
    rmSync(base, { recursive: true, force: true });
  }
}

interface NodeState { index: number; dir: string; port: number; proc: ChildProcess | null; exited: Promise<void> }

function config(base: string, i: number): string {
  const port = BASE_PORT + i - 1;
  const g = (k: number): number => GALERA_PORT + k; // replication 45x1–45x3, IST 45x11–, SST 45x21–
  const gcomm = Array.from({ length: SIZE }, (_, k) => `127.0.0.1:${g(k + 1)}`).join(',');
  const dir = join(base, `node${i}`);
  return `[mysqld]
datadir=${dir}/data
socket=${dir}/mysqld.sock
pid-file=${dir}/mysqld.pid
log-error=${dir}/error.log
tmpdir=${dir}/tmp
port=${port}
bind-address=127.0.0.1
user=mysql
skip-name-resolve
skip-log-bin
binlog_format=ROW
default_storage_engine=InnoDB
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=32M
innodb_log_file_size=8M
innodb_flush_log_at_trx_commit=0
performance_schema=OFF
max_connections=200
wsrep_on=ON
wsrep_provider=${PROVIDER}
wsrep_cluster_name=evolve_test_${BASE_PORT}
wsrep_cluster_address=gcomm://${gcomm}
wsrep_node_name=node${i}
wsrep_node_address=127.0.0.1:${g(i)}
wsrep_node_incoming_address=127.0.0.1:${port}
wsrep_sst_receive_address=127.0.0.1:${g(20 + i)}
wsrep_sst_method=rsync
wsrep_slave_threads=2
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${g(i)};ist.recv_addr=127.0.0.1:${g(10 + i)};gcache.size=64M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;evs.install_timeout=PT6S;pc.wait_prim_timeout=PT10S"
[sst]
progress=0
`;
}

/** Start a three-node cluster (about 10 s here); throws, with the nodes' error logs, when it does not come up. */
export async function startGaleraCluster(): Promise<GaleraCluster> {
  const problem = galeraProblem();
  if (problem) throw new Error(`Cannot start a Galera cluster: ${problem}`);
  const t0 = Date.now();
  await sweepDeadClusters();
  const base = mkdtempSync(join(tmpdir(), `evolve-galera-${process.pid}-`));
  chmodSync(base, 0o755);
  const nodes: NodeState[] = [];
  for (let i = 1; i <= SIZE; i++) {
    const dir = join(base, `node${i}`);
    mkdirSync(join(dir, 'data'), { recursive: true });
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    writeFileSync(join(dir, 'my.cnf'), config(base, i));
    nodes.push({ index: i, dir, port: BASE_PORT + i - 1, proc: null, exited: Promise.resolve() });
  }
  spawnSync('chown', ['-R', 'mysql:mysql', base]);
  // Only the first node needs system tables: the others receive its state.
  const install = spawnSync('mariadb-install-db', [`--defaults-file=${join(nodes[0]!.dir, 'my.cnf')}`, '--user=mysql',
    '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`);

  const launch = (n: NodeState, extra: string[] = []): void => {
    const proc = spawn('/usr/sbin/mariadbd', [`--defaults-file=${join(n.dir, 'my.cnf')}`, ...extra], { stdio: 'ignore' });
    n.proc = proc;
    n.exited = new Promise((r) => proc.once('exit', () => { if (n.proc === proc) n.proc = null; r(); }));
  };
  const killAll = (): void => { for (const n of nodes) n.proc?.kill('SIGKILL'); };
  process.once('exit', () => { killAll(); rmSync(base, { recursive: true, force: true }); });

  const mysql = await import('mysql2/promise');
  const connectTo = (n: NodeState) => mysql.createConnection({ host: '127.0.0.1', port: n.port, user: 'root', connectTimeout: 2000 });
  const status = async (n: NodeState): Promise<{ state: string; size: number } | null> => {
    try {
      const c = await connectTo(n);
      try {
        const [rows] = await c.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state_comment', 'wsrep_cluster_size', 'wsrep_ready')");
        const v = Object.fromEntries((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, r.Value]));
        return { state: v.wsrep_ready === 'ON' ? String(v.wsrep_local_state_comment) : 'not ready', size: Number(v.wsrep_cluster_size) };
      } finally { await c.end(); }
    } catch { return null; }
  };
  const logs = (): string => nodes.map((n) => {
    const r = spawnSync('tail', ['-n', '15', join(n.dir, 'error.log')], { encoding: 'utf8' });
    return `--- node${n.index} error.log:\n${r.stdout}`;
  }).join('\n');
  const waitSynced = async (timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = nodes.filter((n) => n.proc);
      const states = await Promise.all(running.map(status));
      if (states.every((s) => s?.state === 'Synced' && s.size === running.length)) return;
      if (Date.now() > deadline) {
        throw new Error(`Galera cluster not synced after ${timeoutMs} ms: ${JSON.stringify(states)}\n${logs()}`);
      }
      await sleep(200);
    }
  };

  try {
    const mark = (what: string): void => { if (process.env.EVOLVE_TEST_GALERA_DEBUG) process.stderr.write(`galera: ${what} at ${Date.now() - t0} ms\n`); };
    mark('installed');
    launch(nodes[0]!, ['--wsrep-new-cluster']);
    await waitSynced(30_000);
    mark('node 1 synced');
    for (const n of nodes.slice(1)) {
      // One joiner at a time: each receives its state from a synced donor.
      launch(n);
      await waitSynced(30_000);
      mark(`node ${n.index} synced`);
    }
    const c = await connectTo(nodes[0]!);
    await c.query('CREATE DATABASE IF NOT EXISTS test');
    await c.end();
  } catch (e) {
    killAll();
    await Promise.all(nodes.map((n) => n.exited));
    rmSync(base, { recursive: true, force: true });
    throw e;
  }
  const startMs = Date.now() - t0;

  const node = (i: number): NodeState => {
    const n = nodes[i - 1];
    if (!n) throw new Error(`no node ${i}`);
    return n;
  };
  return {
    startMs,
    nodes: nodes.map((n) => ({
      index: n.index, port: n.port,
      url: (database = 'test') => `mysql://root@127.0.0.1:${n.port}/${database}`,
      get running() { return n.proc !== null; },
    })),
    async query(i, sql, params = []) {
      const c = await connectTo(node(i));
      try { const [rows] = await c.query(sql, params as unknown[]); return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []; } finally { await c.end(); }
    },
    async kill(i) {
      const n = node(i);
      n.proc?.kill('SIGKILL');
      await n.exited;
    },
    async restart(i) {
      const n = node(i);
      if (n.proc) return;
      // A killed node's state is unknown: it rejoins from an empty data directory, by a full state
      // transfer. (Removing only grastate.dat is not enough: MariaDB then recovers a position from
      // InnoDB and asks for the writesets after it, and a CREATE TABLE the kill interrupted after
      // that position was recorded stays missing on the node — seen here: t2 absent, the node Synced.)
      rmSync(join(n.dir, 'data'), { recursive: true, force: true });
      mkdirSync(join(n.dir, 'data'), { recursive: true });
      spawnSync('chown', ['-R', 'mysql:mysql', join(n.dir, 'data')]);
      launch(n);
      await waitSynced(60_000);
    },
    waitSynced,
    async stop() {
      for (const n of [...nodes].reverse()) n.proc?.kill('SIGTERM');
      const all = Promise.all(nodes.map((n) => n.exited));
      const timer = setTimeout(killAll, 15_000);
      await all;
      clearTimeout(timer);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** A plain MariaDB server (no replication) configured as a cluster node is, for the bench's baseline. */
export interface PlainMariadb {
  /** `mysql://root@127.0.0.1:PORT/` (no database). */
  readonly url: string;
  stop(): Promise<void>;
}

/** Start one MariaDB server with a node's settings but no Galera (port: the first client port + 9, 3410). */
export async function startPlainMariadb(): Promise<PlainMariadb> {
  await sweepDeadClusters();
  const base = mkdtempSync(join(tmpdir(), `evolve-galera-${process.pid}-`));
  chmodSync(base, 0o755);
  const i = 10;
  const dir = join(base, `node${i}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  writeFileSync(join(dir, 'my.cnf'), config(base, i));
  spawnSync('chown', ['-R', 'mysql:mysql', base]);
  const install = spawnSync('mariadb-install-db', [`--defaults-file=${join(dir, 'my.cnf')}`, '--user=mysql', '--wsrep-provider=none',
    '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`);
  const proc = spawn('/usr/sbin/mariadbd', [`--defaults-file=${join(dir, 'my.cnf')}`, '--wsrep-on=OFF', '--wsrep-provider=none'], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  process.once('exit', () => { proc.kill('SIGKILL'); rmSync(base, { recursive: true, force: true }); });
  const port = BASE_PORT + i - 1;
  const mysql = await import('mysql2/promise');
  for (let tries = 0; ; tries++) {
    try {
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 2000 });
      await c.end();
      break;
    } catch (e) {
      if (tries > 150) { proc.kill('SIGKILL'); throw e; }
      await sleep(200);
    }
  }
  return {
    url: `mysql://root@127.0.0.1:${port}/`,
    async stop() { proc.kill('SIGTERM'); await exited; rmSync(base, { recursive: true, force: true }); },
  };
}
