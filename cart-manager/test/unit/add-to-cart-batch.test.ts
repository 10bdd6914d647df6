import { decideAddToCarts } from '../../src/domain/add-to-cart-batch';
import { rowKey } from '../../src/domain/row-key';

const stock = (available: number, reserved = 0, sold = 0) => ({ available, reserved, sold });
const job = (requestID: string, quantity: number, clientID = 'c', productID = 'X') => ({ requestID, clientID, productID, quantity });
const applied = { ok: true, code: '', error: '' };

describe('decideAddToCarts: a batch decided in arrival order, as if one job ran after the other', () => {
  test('when two jobs add to the same line, then they add up, and the second is checked against the line the first left', () => {
    const d = decideAddToCarts([job('a', 2), job('b', 3), job('c', 1)], {
      recorded: new Map(),
      stock: new Map([[rowKey('X'), stock(6)]]),
      lines: new Map([[rowKey('c', 'X'), 1]]),
      maxPerLine: 100,
    });
    expect(d.replies.map((r) => r.code)).toEqual(['', '', 'INSUFFICIENT_STOCK']);
    expect(d.replies[2]!.error).toBe('product X: the cart line would hold 7 units, 6 available now');
    expect(d.additions).toEqual([{ clientId: 'c', productId: 'X', quantity: 5 }]);
    expect(d.toRecord.map((r) => r.messageId)).toEqual(['a', 'b']);
  });

  test('when a request id is recorded already, then it replays its outcome and adds nothing', () => {
    const stored = { ok: false, code: 'SOLD_OUT' as const, error: 'product X is sold out' };
    const d = decideAddToCarts([job('old', 1), job('new', 1)], {
      recorded: new Map([[rowKey('old'), stored]]),
      stock: new Map([[rowKey('X'), stock(10)]]),
      lines: new Map(),
      maxPerLine: 100,
    });
    expect(d.replies).toEqual([stored, applied]);
    expect(d.additions).toEqual([{ clientId: 'c', productId: 'X', quantity: 1 }]);
    expect(d.toRecord).toEqual([{ messageId: 'new', outcome: applied }]);
  });

  test('when one request id comes twice in a batch, then it is applied once and both get the first outcome', () => {
    const d = decideAddToCarts([job('r', 2), job('r', 2), job('r ', 2)], {
      recorded: new Map(),
      stock: new Map([[rowKey('X'), stock(10)]]),
      lines: new Map(),
      maxPerLine: 100,
    });
    expect(d.replies).toEqual([applied, applied, applied]);
    expect(d.additions).toEqual([{ clientId: 'c', productId: 'X', quantity: 2 }]);
    expect(d.toRecord).toHaveLength(1);
  });

  test('when a refused request comes twice, then both are refused and nothing is recorded (a later retry is decided afresh)', () => {
    const d = decideAddToCarts([job('r', 101), job('r', 101)], {
      recorded: new Map(),
      stock: new Map([[rowKey('X'), stock(1_000)]]),
      lines: new Map(),
      maxPerLine: 100,
    });
    expect(d.replies.map((r) => r.code)).toEqual(['INVALID_REQUEST', 'INVALID_REQUEST']);
    expect(d.toRecord).toEqual([]);
    expect(d.additions).toEqual([]);
  });

  test('when the per-line maximum is reached inside the batch, then the job past it is refused and the others apply', () => {
    const d = decideAddToCarts([job('a', 60), job('b', 50), job('c', 40)], {
      recorded: new Map(),
      stock: new Map([[rowKey('X'), stock(1_000)]]),
      lines: new Map(),
      maxPerLine: 100,
    });
    expect(d.replies.map((r) => r.code)).toEqual(['', 'INVALID_REQUEST', '']);
    expect(d.additions).toEqual([{ clientId: 'c', productId: 'X', quantity: 100 }]);
  });

  test('when a product does not exist, or is sold out or only held, then each job gets the answer it got alone', () => {
    const d = decideAddToCarts([job('a', 1, 'c', 'nope'), job('b', 1, 'c', 'gone'), job('c', 2, 'c', 'held'), job('d', 1, 'd', 'X')], {
      recorded: new Map(),
      stock: new Map([
        [rowKey('gone'), stock(0, 0, 10)],
        [rowKey('held'), stock(1, 3, 6)],
        [rowKey('X'), stock(1)],
      ]),
      lines: new Map(),
      maxPerLine: 100,
    });
    expect(d.replies).toEqual([
      { ok: false, code: 'PRODUCT_NOT_FOUND', error: 'product nope does not exist' },
      { ok: false, code: 'SOLD_OUT', error: 'product gone is sold out' },
      { ok: false, code: 'ALL_RESERVED', error: 'product held: the cart line would hold 2 units, 1 available now' },
      applied,
    ]);
    expect(d.additions).toEqual([{ clientId: 'd', productId: 'X', quantity: 1 }]);
  });

  test('when clients differ, then each line is decided on its own', () => {
    const d = decideAddToCarts([job('a', 1, 'c1'), job('b', 1, 'c2'), job('c', 1, 'c1')], {
      recorded: new Map(),
      stock: new Map([[rowKey('X'), stock(2)]]),
      lines: new Map(),
      maxPerLine: 100,
    });
    expect(d.replies.every((r) => r.ok)).toBe(true);
    expect(d.additions).toEqual([
      { clientId: 'c1', productId: 'X', quantity: 2 },
      { clientId: 'c2', productId: 'X', quantity: 1 },
    ]);
  });
});
