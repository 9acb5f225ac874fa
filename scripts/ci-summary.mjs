// After `npm test` in .ci/run: repeats, below the runner's output, what failed (each failing
// test's TAP line with its location and error), so the end of a long log says which test broke,
// then ends with the plain line `N passed, N failed`. Usage: node scripts/ci-summary.mjs LOG
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n');
const count = (key) => {
  const m = lines.map((l) => /^# (\w+) (\d+)$/.exec(l)).filter((x) => x && x[1] === key).pop();
  return m ? Number(m[2]) : null;
};
const failing = [];
// The suites a test sits in (`# Subtest:` lines, closed by the `ok`/`not ok` line at their depth),
// so a failure names its dialect and file: `lock waits are bounded > postgres > the test`.
const open = [];
for (let i = 0; i < lines.length; i++) {
  const sub = /^(\s*)# Subtest: (.*)$/.exec(lines[i]);
  if (sub) { open.push({ depth: sub[1].length, name: sub[2] }); continue; }
  const end = /^(\s*)(not )?ok \d+ - (.*)$/.exec(lines[i]);
  if (!end) continue;
  while (open.length && open[open.length - 1].depth > end[1].length) open.pop();
  if (open.length && open[open.length - 1].depth === end[1].length) open.pop();
  const m = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
  if (!m) continue;
  const path = [...open.map((o) => o.name), m[2]].join(' > ');
  // A suite fails when a test in it does: list the tests themselves (the next lines are not a deeper `not ok`).
  const detail = [];
  for (let k = i + 1; k < lines.length && k < i + 40; k++) {
    const l = lines[k];
    if (/^\s*(not )?ok \d+/.test(l) || /^\s*# Subtest/.test(l)) break;
    if (/^\s*(location|error|failureType|code|expected|actual|operator):/.test(l)) detail.push(l.trim());
  }
  if (/failureType: '?subtestsFailed'?/.test(detail.join('\n'))) continue;
  failing.push(`not ok - ${path}`, ...detail.map((d) => `    ${d.slice(0, 300)}`));
}
const pass = count('pass');
const fail = count('fail');
if (failing.length) console.log(['', 'Failing tests:', ...failing].join('\n'));
if (pass === null || fail === null) console.log('no test summary found in the output');
else console.log(`${pass} passed, ${fail} failed`);
