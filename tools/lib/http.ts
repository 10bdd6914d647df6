/**
 * Small HTTP helpers for driving the system from outside: JSON requests with
 * their status, body and headers, and one gauge read from a Prometheus
 * /metrics page.
 */
export interface HttpResult {
  status: number;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: any;
  headers: Headers;
}

export async function readResult(res: Response): Promise<HttpResult> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

export async function httpGet(url: string, init: { timeoutMs?: number } = {}): Promise<HttpResult> {
  return readResult(await fetch(url, { signal: init.timeoutMs === undefined ? undefined : AbortSignal.timeout(init.timeoutMs) }));
}

/** POST a JSON body (a string is sent as it is). */
export async function httpPost(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  return readResult(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** The value of an unlabelled-or-labelled gauge in Prometheus text, null when absent. */
export function gaugeValue(metricsText: string, name: string): number | null {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^${escaped}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(metricsText);
  return match ? Number(match[1]) : null;
}

/** GET a /metrics page and read one gauge; rejects when the page cannot be read. */
export async function readGauge(metricsUrl: string, name: string, timeoutMs: number): Promise<number | null> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(timeoutMs) });
  return gaugeValue(await res.text(), name);
}
