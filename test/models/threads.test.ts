import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeCores } from '../../src/models/threads.js';

const cores = os.availableParallelism();

test('the default thread count leaves out a core another process keeps busy', async () => {
  const before = await freeCores(300);
  assert.ok(before >= 1 && before <= Math.min(8, cores), `${before} threads`);
  const hog = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
  try {
    await sleep(300);
    const busy = await freeCores(300);
    assert.ok(busy >= 1, `${busy} threads`);
    assert.ok(busy <= Math.max(1, Math.min(8, cores - 1)), `${busy} threads with one core busy (of ${cores})`);
  } finally {
    hog.kill('SIGKILL');
  }
});
