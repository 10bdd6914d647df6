import type { LoadResult } from '../../flash-sale/buyers';
import { chartJs, escapeHtml, renderHtml, scriptJson } from '../../flash-sale/html-report';
import { barrierVerdict, fmtDuration, formatReport, type ReportInput, summarizeReport, toJson } from '../../flash-sale/report';

function load(overrides: Partial<LoadResult> = {}): LoadResult {
  return {
    mode: 'sale',
    connection: 'per-buyer',
    buyers: 10_000,
    answered: 10_000,
    outcomes: { confirmed: 10, sold_out: 9_990, declined: 0, expired: 0, refused: 0, error: 0, unanswered: 0 },
    codes: { '': 10, SOLD_OUT: 9_500, ALL_RESERVED: 490 },
    confirmedOrders: Array.from({ length: 10 }, (_, i) => ({ clientID: `fs-${i}`, orderID: `00000000-0000-4000-8000-00000000000${i}`, units: 1, total: 999 })),
    retries: { addToCart: 3, checkOutCart: 0 },
    allReservedRetries: { checkOutCart: 120 },
    http5xx: 0,
    droppedConnections: 0,
    transportErrors: {},
    peakOpenConnections: 10_000,
    peakOpenConnectionsSource: 'gateway',
    clientOpenConnectionsAtRelease: 10_000,
    connectedBuyers: 10_000,
    warmupFailures: 0,
    latency: {
      addToCart: { count: 10_000, p50: 120.5, p90: 480.25, p99: 900.125, max: 1_200.5, mean: 200.333 },
      checkOutCart: { count: 9_000, p50: 300, p90: 800, p99: 1_500, max: 2_100, mean: 400 },
      buyer: { count: 10_000, p50: 500, p90: 1_500, p99: 2_500, max: 3_000, mean: 700 },
    },
    latencyPercentiles: { addToCart: [[0, 1], [50, 120.5], [99, 900.125], [100, 1_200.5]] },
    timeline: [
      { tMs: 0, answered: 0, confirmed: 0, soldOut: 0, declined: 0, expired: 0, pending: 0, inFlight: 10_000 },
      { tMs: 100, answered: 5, confirmed: 5, soldOut: 0, declined: 0, expired: 0, pending: 0, inFlight: 9_990 },
      { tMs: 3_000, answered: 10_000, confirmed: 10, soldOut: 9_990, declined: 0, expired: 0, pending: 0, inFlight: 0 },
    ],
    soldOutAtMs: 812.5,
    allAnsweredAtMs: 2_950,
    wallMs: 7_000,
    buyersPerSecond: 3_389.83,
    connectMs: 4_000,
    clientPeakRssMb: 410,
    notes: [],
    ...overrides,
  };
}

function input(overrides: Partial<ReportInput> = {}, loadOverrides: Partial<LoadResult> = {}): ReportInput {
  return {
    meta: { startedAt: '2025-01-01T12:00:00.000Z', options: { buyers: 10_000, stock: 10, chaos: 'none' }, machine: { cpus: 2, node: 'v20.20.2', platform: 'linux x64' } },
    load: load(loadOverrides),
    audit: {
      ok: true,
      violations: [],
      products: [{ productId: 'X', available: 0, reserved: 0, sold: 10, restocked: 10 }],
      orders: { pending: 0, confirmed: 10, failed: 9_990 },
      heldReservations: 0,
    },
    ...overrides,
  };
}

describe('formatReport', () => {
  test('when the sale passed, then it prints the headline, the counts per outcome, the timings, the latencies and PASSED', () => {
    const text = formatReport(input());
    expect(text).toContain('FLASH SALE PASSED: 10 of 10 units sold to 10 paying buyers; 10,000 of 10,000 buyers answered; audit passed');
    expect(text).toMatch(/confirmed \(paid\)\s+10\n/);
    expect(text).toMatch(/sold out\s+9,990\n/);
    expect(text).toMatch(/sold out after\s+813 ms/);
    expect(text).toMatch(/every buyer answered after\s+2\.95 s/);
    expect(text).toMatch(/buyers answered per second\s+3,390/);
    expect(text).toMatch(/POST \/addToCart\s+10,000\s+120\.5\s+480\.3\s+900\.1\s+1,201\s+200\.3/);
    expect(text).toContain('10,000 of 10,000 buyers (100.0%) held open at the release, >= 95%: the barrier is real');
    expect(text).toContain('Retries after 429/503: addToCart 3');
    expect(text).toContain('checkOutCart 120');
    expect(text).toContain('Audit of the database: PASSED');
    expect(text.trimEnd().split('\n').at(-2)).toMatch(/^PASSED: /);
  });

  test('when the meta carries more than options and machine, then it is printed too', () => {
    const i = input();
    i.meta.runId = 'abc123';
    i.meta.peakMemoryMb = { 'api-gateway': 486.1, 'cart-manager': 120.2 };
    const text = formatReport(i);
    expect(text).toContain('runId: abc123');
    expect(text).toContain('peakMemoryMb: api-gateway 486.1, cart-manager 120.2');
    expect(renderHtml(i)).toContain('api-gateway 486.1, cart-manager 120.2');
  });

  test('when the audit has violations, then each is printed loudly and the run FAILED', () => {
    const text = formatReport(
      input({
        audit: {
          ok: false,
          violations: ['conservation broken: quantity + reserved + sold != sum of restocks (1 rows)\n    {"product_id":"X","quantity":1}', 'order left pending (2 rows)'],
          products: [{ productId: 'X', available: 1, reserved: 0, sold: 10, restocked: 10 }],
          orders: { pending: 2, confirmed: 10, failed: 9_988 },
        },
      }),
    );
    expect(text).toContain('FLASH SALE FAILED');
    expect(text).toContain('Audit of the database: FAILED (2 violations)');
    expect(text).toContain('✗ VIOLATION: conservation broken');
    expect(text).toContain('{"product_id":"X","quantity":1}');
    expect(text).toContain('✗ VIOLATION: order left pending (2 rows)');
    expect(text).toMatch(/FAILED: 2 audit violations/);
  });

  test('when buyers were not answered, 5xx came back or connections dropped, then each is a problem and the run FAILED', () => {
    const i = input({}, { answered: 9_990, outcomes: { confirmed: 10, sold_out: 9_980, declined: 0, expired: 0, refused: 0, error: 4, unanswered: 6 }, http5xx: 4, droppedConnections: 2, transportErrors: { ECONNRESET: 2 } });
    const s = summarizeReport(i);
    expect(s.ok).toBe(false);
    expect(s.problems).toEqual(['10 buyers not answered (4 error, 6 gave up at the deadline)', '4 HTTP 5xx answers (other than 503)', '2 dropped connections']);
    const text = formatReport(i);
    expect(text).toContain('PROBLEM: 10 buyers not answered');
    expect(text).toContain('dropped connections: 2 (ECONNRESET 2)');
    expect(text).toContain('not all answered');
  });

  test('when chaos killed processes but none had work in flight, then the report says the run proves nothing', () => {
    const text = formatReport(input({ chaos: { mode: 'workers', kills: 3, killsWithWorkInFlight: 0, events: [{ tMs: 1_500, target: 'checkout-manager', pid: 4242, inFlight: 0 }] } }));
    expect(text).toContain('Chaos (workers): 3 kills, 0 with work in flight');
    expect(text).toContain('t=1.50 s  checkout-manager pid 4242');
    expect(text).toContain('WARNING: chaos workers: no kill hit a process with work in flight (3 kills): this run proves nothing about crashes');
  });
});

describe('the 95% peak-connection verdict', () => {
  test.each([
    [10_000, 10_000, true],
    [9_500, 10_000, true],
    [9_499, 10_000, false],
    [285, 300, true],
    [284, 300, false],
  ])('when %i of %i connections were open at the release, then the barrier is real: %s', (peak, buyers, ok) => {
    const verdict = barrierVerdict(load({ peakOpenConnections: peak, buyers }));
    expect(verdict.ok).toBe(ok);
    expect(verdict.text).toContain(ok ? 'the barrier is real' : 'THE BARRIER IS NOT REAL');
  });

  test('when the barrier is not real, then the report fails and says so', () => {
    const i = input({}, { peakOpenConnections: 4_096 });
    expect(summarizeReport(i).ok).toBe(false);
    expect(formatReport(i)).toContain('4,096 of 10,000 buyers (41.0%) held open at the release, < 95% (9,500 needed): THE BARRIER IS NOT REAL');
  });

  test('when the peak was counted by the client, then the report says so', () => {
    expect(barrierVerdict(load({ peakOpenConnectionsSource: 'client' })).text).toContain('counted by the client');
  });
});

describe('toJson', () => {
  test('when written, then it is the input plus the verdicts, parseable, with the same headline as the text', () => {
    const i = input({ chaos: { mode: 'inventory', kills: 2, killsWithWorkInFlight: 1, events: [] } });
    const parsed = JSON.parse(toJson(i));
    expect(parsed.summary).toMatchObject({ ok: true, unitsSold: 10, unitsStocked: 10, payingBuyers: 10, problems: [], barrier: { ok: true, peak: 10_000 } });
    expect(parsed.summary.headline).toBe(summarizeReport(i).headline);
    expect(parsed.load.latency.addToCart.p99).toBe(900.125);
    expect(parsed.load.timeline).toHaveLength(3);
    expect(parsed.audit.products[0].productId).toBe('X');
    expect(parsed.chaos.kills).toBe(2);
    expect(parsed.meta.options.buyers).toBe(10_000);
  });
});

describe('renderHtml', () => {
  test('when rendered, then the page is self-contained: Chart.js inlined, no script or stylesheet loaded from the network', () => {
    const html = renderHtml(input());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(chartJs());
    expect(chartJs().length).toBeGreaterThan(100_000);
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/);
    // Exactly three script elements: the data, Chart.js, the page's own.
    expect(html.match(/<script[\s>]/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
  });

  test('when rendered, then the data is inlined as JSON the charts read, and the headline and counts are in the page', () => {
    const html = renderHtml(input());
    const data = /<script id="report-data" type="application\/json">([^<]*)<\/script>/.exec(html);
    expect(data).not.toBeNull();
    const parsed = JSON.parse(data![1]!);
    expect(parsed.chart.timeline).toHaveLength(3);
    expect(parsed.chart.latency.map((l: { name: string }) => l.name)).toEqual(['addToCart', 'checkOutCart', 'buyer']);
    expect(parsed.report.summary.ok).toBe(true);
    expect(html).toContain('10 of 10 units sold to 10 paying buyers; 10,000 of 10,000 buyers answered; audit passed');
    expect(html).toContain('<div class="verdict pass">PASSED</div>');
    expect(html).toContain('9,990');
    expect(html).toContain('canvas id="timeline"');
    expect(html).toContain('canvas id="latency"');
    expect(html).toContain('the barrier is real');
  });

  test('when the audit failed, then the page is red and shows every violation, escaped', () => {
    const html = renderHtml(
      input({
        audit: {
          ok: false,
          violations: ['ledger replay disagrees with the counters (1 rows)\n    {"product_id":"<b>X</b>"}', 'reservation still held after every order is final (1 rows)'],
          products: [{ productId: 'X', available: 0, reserved: 1, sold: 9, restocked: 10 }],
          orders: { pending: 0, confirmed: 9, failed: 9_991 },
        },
      }),
    );
    expect(html).toContain('<div class="verdict fail">FAILED</div>');
    expect(html).toContain('class="panel audit bad"');
    expect(html).toContain('FAILED: 2 violations');
    expect(html).toContain('ledger replay disagrees with the counters (1 rows)');
    expect(html).toContain('{&quot;product_id&quot;:&quot;&lt;b&gt;X&lt;/b&gt;&quot;}');
    expect(html).toContain('reservation still held after every order is final');
    expect(html).not.toContain('<b>X</b>');
  });

  test('when chaos ran, then its events are listed and drawn', () => {
    const html = renderHtml(input({ chaos: { mode: 'workers', kills: 1, killsWithWorkInFlight: 1, events: [{ tMs: 2_000, target: 'cart-manager', pid: 777, inFlight: 12 }] } }));
    expect(html).toContain('Chaos: workers');
    expect(html).toContain('1 kill, 1 with work in flight');
    expect(html).toMatch(/<td>cart-manager<\/td><td class="r">777<\/td><td class="r">12<\/td>/);
    expect(html).toContain('"kills":[{"tMs":2000,"target":"cart-manager","pid":777,"inFlight":12}]');
  });

  test('when a string could close the script element, then the inlined JSON cannot', () => {
    expect(scriptJson({ s: '</script><script>alert(1)</script>' })).not.toContain('</script');
    expect(JSON.parse(scriptJson({ s: '</script>&\u2028' }))).toEqual({ s: '</script>&\u2028' });
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('fmtDuration', () => {
  test.each([
    [null, 'n/a'],
    [12.4, '12 ms'],
    [2_950, '2.95 s'],
    [125_000, '2 min 5.0 s'],
  ])('%p ms reads %p', (ms, text) => {
    expect(fmtDuration(ms)).toBe(text);
  });
});
