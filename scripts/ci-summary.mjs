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
for (let i = 0; i < lines.length; i++) {
  const m = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
  if (!m) continue;
  // A suite fails when a test in it does: list the tests themselves (the next lines are not a deeper `not ok`).
  const detail = [];
  for (let k = i + 1; k < lines.length && k < i + 40; k++) {
    const l = lines[k];
    if (/^\s*(not )?ok \d+/.test(l) || /^\s*# Subtest/.test(l)) break;
    if (/^\s*(location|error|failureType|code|expected|actual|operator):/.test(l)) detail.push(l.trim());
  }
  if (/failureType: '?subtestsFailed'?/.test(detail.join('\n'))) continue;
  failing.push(`not ok - ${m[2]}`, ...detail.map((d) => `    ${d.slice(0, 300)}`));
}
const pass = count('pass');
const fail = count('fail');
if (failing.length) console.log(['', 'Failing tests:', ...failing].join('\n'));
if (pass === null || fail === null) console.log('no test summary found in the output');
else console.log(`${pass} passed, ${fail} failed`);
