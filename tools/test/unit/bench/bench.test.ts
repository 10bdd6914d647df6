import { auditCell, didNotFinish, medianRun, ratioText, releaseToLastAnswerMs, SPECS } from '../../../bench/bench';
import type { LoadResult } from '../../../flash-sale/buyers';
import type { ReportAudit } from '../../../flash-sale/report';

const outcomes = { confirmed: 10, sold_out: 90, declined: 0, expired: 0, refused: 0, error: 0, unanswered: 0 };
const load = (o: Partial<LoadResult>): LoadResult => ({ outcomes, codes: { '': 10, SOLD_OUT: 90 }, allAnsweredAtMs: 1234, ...o }) as LoadResult;
const audit = (violations: string[]): ReportAudit => ({ ok: violations.length === 0, violations, products: [], orders: { pending: 3, confirmed: 10, failed: 0 }, settle: { settled: false, pending: 3, held: 2, waitedMs: 90_000 } });

describe('bench rows', () => {
  test('when buyers were still waiting at the deadline, then the row did not finish and its time is the deadline, a lower bound', () => {
    const unfinished = load({ outcomes: { ...outcomes, unanswered: 5 }, codes: { DEADLINE: 5 } });
    expect(didNotFinish(unfinished)).toBe(true);
    expect(releaseToLastAnswerMs(unfinished, 240_000)).toEqual({ ms: 240_000, lowerBound: true });
    expect(didNotFinish(load({}))).toBe(false);
    expect(releaseToLastAnswerMs(load({}), 240_000)).toEqual({ ms: 1234, lowerBound: false });
  });

  test('when a floor ran several times, then its median run is the middle one by release → last answer', () => {
    const runs = [3000, 1000, 4500, 1300, 1600].map((ms) => load({ allAnsweredAtMs: ms }));
    expect(medianRun(runs, 240_000).allAnsweredAtMs).toBe(1600);
    expect(medianRun(runs.slice(0, 2), 240_000).allAnsweredAtMs).toBe(1000);
    expect(() => medianRun([], 240_000)).toThrow();
  });

  test('when a ratio is written, then it has two decimals below 10, one above, and ">" for a lower bound', () => {
    expect(ratioText(1.234)).toBe('1.23×');
    expect(ratioText(42.04, true)).toBe('> 42.0×');
    expect(ratioText(Number.NaN)).toBe('–');
  });

  test('when a run did not finish and only settling is missing, then the audit cell says so without failing; any other violation fails', () => {
    expect(auditCell(audit([]), false)).toEqual({ text: 'passed', failed: false });
    expect(auditCell(audit(['not settled after 90000 ms (3 orders pending, 2 units held)']), true)).toEqual({
      text: 'invariants passed; not settled (3 orders pending, 2 holds after 90 s more)',
      failed: false,
    });
    expect(auditCell(audit(['not settled after 90000 ms']), false).failed).toBe(true);
    expect(auditCell(audit(['oversold: 11 units of 10', 'not settled after 90000 ms']), true)).toMatchObject({ failed: true, text: expect.stringContaining('oversold') });
  });

  test('when the rows are listed, then both floors are there for every buyer count and connection mode a sale uses, and the setup.sh sales open a fresh connection per request', () => {
    const floors = SPECS.filter((s) => s.kind === 'floor');
    const saleSpecs = SPECS.filter((s) => s.kind === 'sale');
    for (const sale of saleSpecs) {
      for (const server of ['node:http', 'gateway']) {
        expect(floors.some((f) => f.kind === 'floor' && f.server === server && f.buyers === sale.buyers && f.connection === sale.connection)).toBe(true);
      }
    }
    expect(saleSpecs.map((s) => `${s.id}:${s.connection}`)).toEqual([
      'S1:per-request',
      'S2:per-request',
      'S3:per-request',
      'S1K:per-buyer',
      'S2K:per-buyer',
      'T1:per-buyer',
      'T2:per-buyer',
      'T3:per-buyer',
    ]);
    expect(new Set(SPECS.map((s) => s.id)).size).toBe(SPECS.length);
  });
});
