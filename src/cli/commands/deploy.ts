/** `evolve upgrade`, `evolve baseline`, `evolve install`, `evolve check`: the numbered-steps way. */
import { baselineDeployment } from '../../engine/baseline.js';
import { checkVersion } from '../../engine/check.js';
import type { DeployOptions } from '../../engine/deploy-context.js';
import { installStorage } from '../../engine/install.js';
import { upgradeDeployment } from '../../engine/upgrade.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { requireDb, resolveSettings } from '../config.js';
import { printJson, type Out } from '../output.js';
import type { CommonFlags } from '../main.js';

/** Flags of the deployment commands. */
export interface DeployFlags extends CommonFlags { steps?: string; app?: string; createDatabase?: boolean }

async function deployOptions(flags: DeployFlags, out: Out, command?: string): Promise<DeployOptions> {
  const s = await resolveSettings(flags, out);
  return {
    db: requireDb(s, command), ...(s.models ? { models: s.models } : {}), ...(flags.steps ? { steps: flags.steps } : {}),
    ...(flags.app ? { app: flags.app } : {}), ...(s.scope.schema ? { schema: s.scope.schema } : {}), ...(s.scope.schemas ? { schemas: s.scope.schemas } : {}),
    ...(s.scope.lockTimeout !== undefined ? { lockTimeout: s.scope.lockTimeout } : {}), ...(s.scope.scratch ? { scratch: s.scope.scratch } : {}),
    ...(s.scope.lockWaitMs !== undefined ? { lockWaitMs: s.scope.lockWaitMs } : {}), ...(s.scope.retries !== undefined ? { retries: s.scope.retries } : {}),
    ...(s.scope.onLockRetry ? { onLockRetry: s.scope.onLockRetry } : {}),
    ...(s.scope.connectTimeout !== undefined ? { connectTimeout: s.scope.connectTimeout } : {}),
    ...(flags.createDatabase ? { createDatabase: true } : {}),
    ...(s.scope.include ? { include: s.scope.include } : {}), ...(s.scope.exclude ? { exclude: s.scope.exclude } : {}),
    ...(s.scope.evolutions ? { evolutions: s.scope.evolutions } : {}), ...s.scope.record,
  };
}

function version(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new EvolveError(ErrorCode.Usage, `${what} must be a whole number ≥ 0, got '${text}'.`, {
      hint: `Write e.g. evolve ${what === 'VERSION' ? 'upgrade 3' : 'baseline 3'}.`,
    });
  }
  return n;
}

export async function upgradeCommand(target: string | undefined, flags: DeployFlags, out: Out): Promise<number> {
  const to = version(target, 'VERSION');
  const r = await upgradeDeployment({ ...(await deployOptions(flags, out, 'upgrade')), ...(to !== undefined ? { to } : {}) });
  if (out.json) { printJson(out, { ok: true, ...r }); return 0; }
  if (r.freshInstall) {
    out.write(`Fresh install of '${r.app}' on ${r.database}: at version ${r.to} (no steps run)${r.created.length ? `; created ${r.created.join(', ')}` : ''}.`);
  }
  else if (r.ran.length === 0) out.write(`'${r.app}' is already at version ${r.from}; nothing to do.`);
  else out.write([...r.ran.map((s) => `Ran step ${s}.`), `'${r.app}' upgraded from version ${r.from} to ${r.to}.`].join('\n'));
  return 0;
}

export async function baselineCommand(target: string, flags: DeployFlags, out: Out): Promise<number> {
  const v = version(target, 'VERSION to baseline')!;
  const r = await baselineDeployment({ ...(await deployOptions(flags, out, 'baseline')), version: v });
  if (out.json) { printJson(out, { ok: true, ...r }); return 0; }
  out.write(`'${r.app}' on ${r.database} is now recorded at version ${r.version}` +
    `${r.from === null ? ' (it had no record)' : ` (was ${r.from})`}. No step was run.`);
  return 0;
}

export async function installCommand(flags: DeployFlags, out: Out): Promise<number> {
  const r = await installStorage(await deployOptions(flags, out, 'install'));
  if (out.json) { printJson(out, { ok: true, ...r }); return 0; }
  out.write(r.created.length ? `Created ${r.created.join(', ')} on ${r.database}.` : `Every model already has a table on ${r.database}; nothing created.`);
  return 0;
}

/** Exit 0 in sync, 3 unversioned / behind / ahead. */
export async function checkCommand(flags: DeployFlags, out: Out): Promise<number> {
  const r = await checkVersion(await deployOptions(flags, out, 'check'));
  const ok = r.state === 'in-sync';
  if (out.json) printJson(out, { ok, ...r });
  else if (ok) out.write(r.message);
  else out.error(`${r.state}: ${r.message}`);
  return ok ? 0 : 3;
}
