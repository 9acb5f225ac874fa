/** A fleet's worker thread (see fleet-threads.ts): applies the targets it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { applyTarget } from './fleet-target.js';
import type { TargetRequest, TargetResponse } from './fleet-threads.js';

parentPort!.on('message', (m: TargetRequest) => {
  void applyTarget(m.target, m.options).then((result) => parentPort!.postMessage({ id: m.id, result } satisfies TargetResponse));
});
