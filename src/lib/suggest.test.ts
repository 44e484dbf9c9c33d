import { describe, expect, it } from 'vitest';
import { closest, didYouMean } from './suggest.js';

describe('closest', () => {
  it('finds a word one typo away: a missing, extra or wrong letter, or two letters swapped', () => {
    const words = ['serve', 'worker', 'list', 'retry', '--json'];
    expect([closest('serv', words), closest('workerr', words), closest('lost', words)]).toEqual(['serve', 'worker', 'list']);
    expect([closest('lsit', words), closest('retyr', words), closest('--jsno', words)]).toEqual(['list', 'retry', '--json']);
  });

  it('suggests nothing when the word is further than a third of its length (at least one edit)', () => {
    expect(closest('frobnicate', ['serve', 'worker'])).toBeUndefined();
    expect(closest('ls', ['list'])).toBeUndefined();
    expect(didYouMean('xyz', ['list'])).toBe('');
    expect(didYouMean('STATSU', ['status'])).toBe(' (did you mean "status"?)');
  });
});
