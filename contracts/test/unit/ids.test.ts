import { ID_MAX_LENGTH, idProblem } from '../../ids';

describe('the id rule (contracts/ids.ts)', () => {
  it('when an id is 1 to 100 characters of printable text, then nothing is wrong with it', () => {
    for (const id of ['X', 'buyer-42', 'a b', 'é', '😀', 'x'.repeat(ID_MAX_LENGTH)]) expect(idProblem(id)).toBeNull();
  });

  it('when an id is empty or longer than 100 characters, then its length is what is wrong', () => {
    expect(idProblem('')).toBe('must be 1 to 100 characters');
    expect(idProblem('x'.repeat(ID_MAX_LENGTH + 1))).toBe('must be 1 to 100 characters');
  });

  it('when an id starts or ends with whitespace, then it is refused, whichever whitespace it is', () => {
    for (const id of ['X  ', ' X', 'X\u00a0', '\u3000X', 'X\u2028']) expect(idProblem(id)).toBe('must not start or end with whitespace');
  });

  it('when an id holds a control character anywhere, then it is refused', () => {
    for (const id of ['a\u0000b', 'a\tb', 'ab\n', 'a\u007fb', 'a\u0085b']) expect(idProblem(id)).toBe('must not contain control characters');
  });

  it('when an id holds a lone surrogate, then it is refused (UTF-8 would store U+FFFD and merge two ids)', () => {
    for (const id of ['\ud800a', '\udfffa', 'a\ud83d']) expect(idProblem(id)).toMatch(/lone surrogate/);
    expect(idProblem('\ud83d\ude00')).toBeNull();
  });
});
