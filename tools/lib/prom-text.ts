/**
 * Reading counters out of Prometheus text pages (GET /metrics): every sample of
 * one metric with its labels, and the sum of those samples by one label, over
 * any number of pages (one per process of a service).
 */

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of the metric `name` in a page (comments and other metrics skipped). */
export function samplesOf(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || !line.startsWith(name)) continue;
    const m = LINE.exec(line);
    if (!m || m[1] !== name) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ labels, value });
  }
  return out;
}

/** The metric `name` summed by the value of `label` over every page; an empty object when no page has it. */
export function sumByLabel(pages: readonly string[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const page of pages) {
    for (const s of samplesOf(page, name)) {
      const key = s.labels[label] ?? '';
      out[key] = (out[key] ?? 0) + s.value;
    }
  }
  return out;
}

/**
 * The mean size of the batches of a batching hop, by `label`: the sum of `messagesMetric` divided by the sum of
 * `batchesMetric`. Only keys with batches; an empty object when the pages do not export the counters.
 */
export function meanBatchSizes(pages: readonly string[], batchesMetric: string, messagesMetric: string, label: string): Record<string, { batches: number; items: number; mean: number }> {
  const batches = sumByLabel(pages, batchesMetric, label);
  const items = sumByLabel(pages, messagesMetric, label);
  const out: Record<string, { batches: number; items: number; mean: number }> = {};
  for (const [key, b] of Object.entries(batches)) {
    if (b <= 0) continue;
    const n = items[key] ?? 0;
    out[key] = { batches: b, items: n, mean: n / b };
  }
  return out;
}
