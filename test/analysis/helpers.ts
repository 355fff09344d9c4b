import assert from 'node:assert/strict';

/** Assert |actual − expected| ≤ tol (also for arrays of numbers). */
export function close(
  actual: number | readonly number[] | null,
  expected: number | readonly number[],
  tol = 1e-9,
): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `expected an array, got ${actual}`);
    assert.equal((actual as number[]).length, expected.length);
    expected.forEach((e, k) => close((actual as number[])[k], e, tol));
    return;
  }
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - (expected as number)) <= tol,
    `expected ${expected} ± ${tol}, got ${actual}`,
  );
}
