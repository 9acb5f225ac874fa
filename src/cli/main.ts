/**
 * The `evolve` command line. Maps library calls to text or `--json`, and errors to exit
 * codes: 0 success / in sync, 1 error, 2 bad usage, 3 out of sync (`sql --exit-code`).
 * It sets `process.exitCode`; it never calls `process.exit`.
 */
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import { redact } from '../dialects/url.js';
import { stdio, type Out } from './output.js';
import type { DeployFlags } from './commands/deploy.js';

// The commands a quick `evolve sql` / `apply` / `fingerprint` does not run are loaded when they
// run (issue 19: start-up): their modules (pull's emitters, the graph's layout, init's templates…)
// cost a start-up that does not use them.
// So is each of the three a quick command runs: `sql` loads neither apply's nor the fleet's modules.
const fingerprintCommand: typeof import('./commands/fingerprint.js').fingerprintCommand =
  async (...a) => (await import('./commands/fingerprint.js')).fingerprintCommand(...a);
const sqlCommand: typeof import('./commands/sql.js').sqlCommand =
  async (...a) => (await import('./commands/sql.js')).sqlCommand(...a);
const applyCommand: typeof import('./commands/apply.js').applyCommand =
  async (...a) => (await import('./commands/apply.js')).applyCommand(...a);
const diffCommand: typeof import('./commands/diff.js').diffCommand =
  async (...a) => (await import('./commands/diff.js')).diffCommand(...a);
const initCommand: typeof import('./commands/init.js').initCommand =
  async (...a) => (await import('./commands/init.js')).initCommand(...a);
const pullCommand: typeof import('./commands/pull.js').pullCommand =
  async (...a) => (await import('./commands/pull.js')).pullCommand(...a);
const graphCommand: typeof import('./commands/graph.js').graphCommand =
  async (...a) => (await import('./commands/graph.js')).graphCommand(...a);
const completeCommand: typeof import('./commands/evolutions.js').completeCommand =
  async (...a) => (await import('./commands/evolutions.js')).completeCommand(...a);
const hashCommand: typeof import('./commands/evolutions.js').hashCommand =
  async (...a) => (await import('./commands/evolutions.js')).hashCommand(...a);
const lintCommand: typeof import('./commands/evolutions.js').lintCommand =
  async (...a) => (await import('./commands/evolutions.js')).lintCommand(...a);
const recordCommand: typeof import('./commands/evolutions.js').recordCommand =
  async (...a) => (await import('./commands/evolutions.js')).recordCommand(...a);
const revertCommand: typeof import('./commands/evolutions.js').revertCommand =
  async (...a) => (await import('./commands/evolutions.js')).revertCommand(...a);
const statusCommand: typeof import('./commands/evolutions.js').statusCommand =
  async (...a) => (await import('./commands/evolutions.js')).statusCommand(...a);
const baselineCommand: typeof import('./commands/deploy.js').baselineCommand =
  async (...a) => (await import('./commands/deploy.js')).baselineCommand(...a);
const checkCommand: typeof import('./commands/deploy.js').checkCommand =
  async (...a) => (await import('./commands/deploy.js')).checkCommand(...a);
const installCommand: typeof import('./commands/deploy.js').installCommand =
  async (...a) => (await import('./commands/deploy.js')).installCommand(...a);
const upgradeCommand: typeof import('./commands/deploy.js').upgradeCommand =
  async (...a) => (await import('./commands/deploy.js')).upgradeCommand(...a);


export const EXIT = { ok: 0, error: 1, usage: 2, outOfSync: 3 } as const;

/** Options every command takes. */
export interface CommonFlags {
  /** Every `--db` given (repeatable: more than one is a fleet). */
  db?: string[];
  targets?: string;
  schemaPattern?: string;
  concurrency?: string;
  models?: string;
  schema?: string;
  schemas?: string;
  config?: string;
  envFile?: string;
  evolutions?: string;
  storedOnly?: boolean;
  verifyEachLink?: boolean;
  lockTimeout?: string;
  lockWait?: string;
  retries?: string;
  batchSize?: string;
  batchPause?: string;
  online?: boolean;
  scratch?: string;
  include?: string[];
  exclude?: string[];
  recordTable?: string;
  historyTable?: string;
  nodes?: string[];
  rolling?: boolean;
  json?: boolean;
  exitCode?: boolean;
}

const version = (): string => (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

function reportError(out: Out, e: unknown): number {
  if (isEvolveError(e)) {
    const code = e.code === ErrorCode.Usage || e.code === ErrorCode.FleetUnsupported ? EXIT.usage : EXIT.error;
    if (out.json) out.write(JSON.stringify({ ok: false, error: e.toJSON() }, null, 2));
    else out.error(`error ${e.code}: ${e.message}${e.hint ? `\n  fix: ${e.hint}` : ''}`);
    return code;
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (out.json) out.write(JSON.stringify({ ok: false, error: { code: ErrorCode.Internal, message: redact(msg) } }, null, 2));
  else out.error(`error ${ErrorCode.Internal}: ${msg}\n  fix: this is unexpected; rerun with EVOLVE_DEBUG=1 for a stack trace and report it.`);
  if (process.env.EVOLVE_DEBUG && e instanceof Error && e.stack) out.error(e.stack);
  return EXIT.error;
}

function common(cmd: Command): Command {
  return cmd
    .option('--db <url>', 'database URL: sqlite:PATH, postgres://…, mysql://…, pglite:DIR (default: $EVOLVE_DATABASE_URL, then evolve.config.ts); ' +
      "repeat it, or give a pattern ('sqlite:tenants/*.db', 'postgres://…?schemas=tenant_*', 'mysql://…/tenant_*'), for a fleet", collect)
    .option('--targets <file>', 'a fleet: database URLs or patterns, one a line (# comments)')
    .option('--schema-pattern <glob>', "a fleet of PostgreSQL schemas: every schema of --db whose name matches ('tenant_*')")
    .option('--models <path>', 'module exporting the table() models or Drizzle tables (.ts or .js), or a .sql file of CREATE statements')
    .option('--schema <name>', 'PostgreSQL schema (default public)')
    .option('--schemas <names>', 'PostgreSQL schemas managed beside --schema, comma-separated (tables named schema.table)')
    .option('--evolutions <dir>', 'stored evolutions directory (default: evolutions/ beside the models)')
    .option('--config <path>', 'config file (default ./evolve.config.ts if present)')
    .option('--env-file <path>', 'environment variables to set first, unless already set (default ./.env if present)')
    .option('--scratch <url>', 'where a SQL file given as --models is parsed, in a sandbox made there and dropped: ' +
      'a server URL of the same dialect, or pglite:memory (default: the --db server; SQLite: in memory)')
    .option('--lock-wait <ms>', 'longest wait of one statement for a table lock before the run is rolled back and retried (default 2000)')
    .option('--retries <n>', 'retries after a lock wait timed out, with backoff and jitter (default 10)')
    .option('--batch-size <rows>', 'rows per batch of a backfill, each batch its own transaction ' +
      '(PostgreSQL type changes through a new column on a table with rows; MySQL --online: pt-online-schema-change\'s chunks; default 10000)')
    .option('--batch-pause <ms>', 'pause between two batches of a backfill (default 0)')
    .option('--online', 'refuse what would block the application\'s writes (MySQL: a table copied under a lock), ' +
      'or run it through pt-online-schema-change when installed (docs/online.md)')
    .option('--lock-timeout <seconds>', 'how long a deploying command waits for another deployer (default 120)')
    .option('--include <tables>', "manage only these tables: names or globs, comma-separated or repeated ('billing_*'; '!legacy_*' excludes)", collect)
    .option('--exclude <tables>', 'leave these tables alone (and the objects tied to them): names or globs, comma-separated or repeated', collect)
    .option('--record-table <name>', 'deployment record table (default _evolve_deployment; must start with _evolve)')
    .option('--history-table <name>', 'deployment history table (default _evolve_history; must start with _evolve)')
    .option('--nodes <urls>', 'a cluster\'s nodes, checked after a change (Galera; default: the nodes the cluster reports): ' +
      'mysql:// URLs or host:port, comma-separated or repeated', collect)
    .option('--rolling', 'change a Galera cluster node by node in RSU (with --nodes naming every node), verifying each')
    .option('--json', 'machine-readable output on stdout');
}

/** The options {@link common} adds, for the command reference (docs/cli.md). */
export const commonOptions = (): readonly Option[] => common(new Command('common')).options;

/** `--create-database`, on the commands that may start from nothing (apply, install, upgrade). */
const CREATE_DATABASE = 'create the database the URL names if it does not exist (server dialects; without it a missing database is an error)';

/** `--concurrency`, on the commands that take a fleet. */
const FLEET_CONCURRENCY = 'a fleet: targets worked on at once (default 4)';

/** Repeated list options (`--include a --include b`) collect into one list. */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** A command's action from its use case: output per `--json`, the result code (or the error's) to `setCode`. */
type Wrap = (fn: (flags: CommonFlags & Record<string, unknown>, out: Out) => Promise<number>) =>
  (flags: CommonFlags & Record<string, unknown>) => Promise<void>;

/** Build the program; `run` receives each command's result code. */
export function buildProgram(setCode: (code: number) => void): Command {
  const program = new Command('evolve')
    .description('Schema evolution for TypeScript applications: keep SQLite, PostgreSQL and MySQL in step with your models.')
    .version(version(), '-v, --version')
    .showHelpAfterError('(run evolve --help for usage)')
    .exitOverride();
  const wrap: Wrap = (fn) =>
    async (flags: CommonFlags & Record<string, unknown>): Promise<void> => {
      const out = stdio(flags.json === true);
      try { setCode(await fn(flags, out)); } catch (e) { setCode(reportError(out, e)); }
    };

  program.command('init')
    .description('start using Evolve here: evolve.config.ts (defineConfig, the URL from $DATABASE_URL), an example models module, ' +
      'evolutions/; never overwrites')
    .option('--dir <path>', 'project directory (default: the working directory)')
    .option('--models <path>', 'where the example models module goes (default src/models.ts)')
    .option('--db <url>', 'the database URL used when $DATABASE_URL is not set (default sqlite:app.db, or --from-db without its password)')
    .option('--from-db <url>', "write the models from this database's schema (evolve pull) instead of the example")
    .option('--schema <name>', 'PostgreSQL schema --from-db reads (default public)')
    .option('--json', 'machine-readable output on stdout')
    .action(wrap(initCommand as never));
  addApplyCommands(program, wrap, setCode);
  addDiffCommand(program, setCode);
  addStoredCommands(program, wrap);
  addDeployCommands(program, wrap, setCode);
  return program;
}

/** fingerprint, sql, apply, record, revert and complete: the commands that bring a database to its models. */
function addApplyCommands(program: Command, wrap: Wrap, setCode: (code: number) => void): void {
  common(program.command('fingerprint').alias('sqlfingerprint')
    .description('print the live schema fingerprint, and whether it matches the models (with --models)'))
    .option('--concurrency <n>', FLEET_CONCURRENCY)
    .action(wrap(fingerprintCommand));

  common(program.command('pull')
    .description("write the live database's schema as a models module (--out, default src/models.ts) or one module per table (--out-dir); " +
      'lists what the models cannot state'))
    .option('--out <file>', 'the models module to write (default src/models.ts)')
    .option('--out-dir <dir>', 'write one module per table and an index.ts re-exporting them')
    .option('--force', 'overwrite files that exist')
    .action(wrap(pullCommand as never));

  common(program.command('sql').alias('sqlevolve')
    .description('print the SQL that apply would run, with its hazards; changes nothing'))
    .option('--exit-code', 'exit 3 when there is something to apply')
    .option('--allow-data-loss', 'show the plan as apply --allow-data-loss would run it')
    .option('--stored-only', 'say that generated SQL would not run (stored-only mode)')
    .action(wrap(sqlCommand));

  common(program.command('apply').alias('syncdb')
    .description('create missing tables and evolve existing ones to match the models, in one transaction where the database allows'))
    .addOption(new Option('--allow-data-loss', 'run even if the plan drops data or converts values lossily'))
    .option('--stored-only', 'run only stored evolutions, never generated SQL (reviewed / hand-written ways)')
    .option('--create-database', CREATE_DATABASE)
    .option('--verify-each-link', 'verify the fingerprint after every stored evolution of a chain, not only at its end ' +
      '(and, on MySQL, before each link that is not purely additive)')
    .option('--concurrency <n>', FLEET_CONCURRENCY)
    .option('--canary <n>', 'a fleet: apply to the first N targets first, and stop if any of them fails')
    .option('--continue-on-error', 'a fleet: keep starting targets after one failed (default: stop starting new ones)')
    .action(wrap(applyCommand));

  common(program.command('record')
    .description('store the pending generated change as an evolution file with its revert (applies nothing)'))
    .option('--name <name>', 'name for the evolution file')
    .option('--allow-data-loss', 'record a change that loses data (a drop, a lossy conversion); the file carries that consent for apply')
    .action(wrap(recordCommand));

  common(program.command('revert')
    .description('back out stored evolutions, verifying the fingerprint after each'))
    .option('--to <fingerprint>', 'revert back to this known fingerprint')
    .option('--steps <n>', 'revert this many evolutions (default 1)')
    .action(wrap(revertCommand));

  common(program.command('complete').argument('[file]', 'the evolution file (default: the only one with a placeholder to-fingerprint)')
    .description('run a hand-written evolution with a placeholder to-fingerprint (fv1:xxxxxxxx) on a development database ' +
      'and fill in the real fingerprint'))
    .action(async (file: string | undefined, flags: CommonFlags): Promise<void> => {
      const out = stdio(flags.json === true);
      try { setCode(await completeCommand(file, flags, out)); } catch (e) { setCode(reportError(out, e)); }
    });
}

/** diff: the SQL between any two of a database, a models module and a .sql file. */
function addDiffCommand(program: Command, setCode: (code: number) => void): void {
  program.command('diff')
    .description('print the SQL that turns FROM into TO; each is a database URL, a models module or a .sql file')
    .argument('<from>', 'database URL, models module (.ts/.js) or SQL file (.sql)')
    .argument('<to>', 'database URL, models module (.ts/.js) or SQL file (.sql)')
    .option('--dialect <name>', 'sqlite, postgres or mysql, when neither side is a database (default sqlite)')
    .option('--scratch <url>', 'where SQL files are parsed, in a sandbox made there and dropped ' +
      '(default: the database side\'s server; neither side a database: in memory for sqlite and postgres)')
    .option('--schema <name>', 'PostgreSQL schema of database sides')
    .option('--include <tables>', 'compare only these tables: names or globs, comma-separated or repeated', collect)
    .option('--exclude <tables>', 'leave these tables out of the comparison: names or globs', collect)
    .option('--exit-code', 'exit 3 when the two differ')
    .option('--json', 'machine-readable output on stdout')
    .action(async (from: string, to: string, flags: CommonFlags & { dialect?: string; scratch?: string }) => {
      const out = stdio(flags.json === true);
      try { setCode(await diffCommand(from, to, flags, out)); } catch (e) { setCode(reportError(out, e)); }
    });
}

/** lint, hash and status: the commands that read the stored evolutions and where the database stands. */
function addStoredCommands(program: Command, wrap: Wrap): void {
  common(program.command('lint')
    .description('list every hazard of the pending plan (rows at risk counted) and of the stored evolutions; exit 3 on an error'))
    .action(wrap(lintCommand));

  common(program.command('hash')
    .description('re-sign the evolutions directory (rewrites evolve.sum) after an intended edit'))
    .action(wrap(hashCommand));

  common(program.command('status')
    .description('where the database stands: deployed version, fingerprint (known or not), pending evolutions and changes, drift, recent history'))
    .option('--app <id>', "application id of the deployment record (default: the versioned() id of the models or --steps, else 'default')")
    .option('--steps <path>', 'module exporting `schema = versioned({ ... })` (default: the models module): shows the pending upgrade steps')
    .option('--concurrency <n>', FLEET_CONCURRENCY)
    .action(wrap(statusCommand));

  common(program.command('graph')
    .description('draw the known fingerprints and stored evolutions (forward, revert, longest jumps, the live database, drift) ' +
      'as SVG, a self-contained HTML page, Mermaid or DOT'))
    .option('--format <format>', 'svg, html, mermaid or dot (default: from the --out extension, else mermaid)')
    .option('--out <file>', 'write to this file instead of stdout (graph.html: the HTML page; graph.svg: SVG)')
    .action(wrap(graphCommand as never));
}

/** The numbered-steps way (Dejavu): deployment record, upgrade steps, install, check. */
function addDeployCommands(program: Command, wrap: Wrap, setCode: (code: number) => void): void {
  const deploy = (cmd: Command): Command => common(cmd)
    .option('--steps <path>', 'module exporting `schema = versioned({ ... })` (default: the models module)')
    .option('--app <id>', 'application id in the deployment record (default: the versioned() id)');
  const withArg = (fn: (arg: string, flags: DeployFlags, out: Out) => Promise<number>) =>
    async (arg: string, flags: DeployFlags): Promise<void> => {
      const out = stdio(flags.json === true);
      try { setCode(await fn(arg, flags, out)); } catch (e) { setCode(reportError(out, e)); }
    };
  deploy(program.command('upgrade').argument('[version]', 'version to reach (default: latest)')
    .description('run the missing numbered upgrade steps, each once (a fresh install starts at latest)'))
    .option('--create-database', CREATE_DATABASE)
    .action(withArg(upgradeCommand as (a: string, f: DeployFlags, o: Out) => Promise<number>));
  deploy(program.command('baseline').argument('<version>', 'the version the database is at')
    .description('set the deployed version by hand (a database deployed before versioning); runs no step'))
    .action(withArg(baselineCommand));
  deploy(program.command('install')
    .description('create a table for every model that has none (assert_storage); never touches an existing table'))
    .option('--create-database', CREATE_DATABASE)
    .action(wrap(installCommand as (f: CommonFlags & Record<string, unknown>, o: Out) => Promise<number>));
  deploy(program.command('check')
    .description('exit 3 when the deployed version is missing, behind or ahead of the latest step (assert_version); 0 in sync'))
    .action(wrap(checkCommand as (f: CommonFlags & Record<string, unknown>, o: Out) => Promise<number>));
}

/**
 * Run the CLI with `argv` (as `process.argv`). Resolves to the exit code.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => { code = c; });
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      // Commander has said what is wrong on stderr; --json still gets its one document on stdout.
      if (argv.includes('--json')) {
        const usage = new EvolveError(ErrorCode.Usage, e.message.replace(/^error:\s*/, ''), {
          hint: 'Run evolve --help (or evolve COMMAND --help) for usage.',
        });
        stdio(true).write(JSON.stringify({ ok: false, error: usage.toJSON() }, null, 2));
      }
      return EXIT.usage;
    }
    return reportError(stdio(argv.includes('--json')), e);
  }
  return code;
}

export { EvolveError };
