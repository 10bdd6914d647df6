/**
 * The top of a V8 CPU profile (the .cpuprofile JSON node --cpu-prof writes):
 * self time per function, summed over the profile's samples, with each compiled
 * dist/**.js location mapped back to its TypeScript source through the source
 * map tsc wrote beside it (node:module's SourceMap; no dependency).
 *
 * A sample's duration is the gap to the next sample's timestamp (the last one's:
 * to endTime), as Chrome DevTools reads a profile. A builtin without source
 * (e.g. writeBuffer, a write on a socket or file) is told apart by its nearest
 * caller outside node's own modules (mysql2, amqplib, pino...): "via".
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileEntry {
  /** Function name ("(anonymous)" when it has none; V8's own entries such as "(garbage collector)" as they are). */
  functionName: string;
  /** file:line, relative to the root when inside it (TypeScript source when a source map says so); '' for V8's own entries and builtins. */
  location: string;
  /** For a builtin without source: its nearest caller outside node's own modules, "name file:line" ('' if none). */
  via?: string;
  selfMs: number;
  /** Share of the busy time (the profile's time minus (idle)), in percent. */
  percent: number;
}

export interface ProfileTop {
  /** The profile's whole duration. */
  totalMs: number;
  /** Of which the process was idle (waiting in its event loop). */
  idleMs: number;
  entries: ProfileEntry[];
}

/** Self time per node id, in microseconds. */
export function selfTimes(profile: CpuProfile): Map<number, number> {
  const out = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let t = profile.startTime;
  const stamps: number[] = new Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    stamps[i] = t;
  }
  for (let i = 0; i < samples.length; i++) {
    const next = i + 1 < samples.length ? stamps[i + 1]! : Math.max(profile.endTime, stamps[i]!);
    const dt = Math.max(0, next - stamps[i]!);
    out.set(samples[i]!, (out.get(samples[i]!) ?? 0) + dt);
  }
  return out;
}

/** The `limit` functions with the most self time (idle excluded), each with its share of the busy time. */
export function topSelfTime(profile: CpuProfile, options: { limit?: number; root?: string; mapSources?: boolean } = {}): ProfileTop {
  const limit = options.limit ?? 12;
  const locate = sourceLocator(options.root, options.mapSources ?? true);
  const byNode = selfTimes(profile);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const caller = (id: number): string => {
    for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
      const f = nodes.get(at)!.callFrame;
      if (f.url && !f.url.startsWith('node:')) return `${f.functionName || '(anonymous)'} ${locate(f.url, f.lineNumber, f.columnNumber)}`;
    }
    return '';
  };
  const byFunction = new Map<string, { functionName: string; location: string; via?: string; us: number }>();
  let idleUs = 0;
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = byNode.get(node.id) ?? 0;
    totalUs += us;
    if (us === 0) continue;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const name = functionName || '(anonymous)';
    const location = url ? locate(url, lineNumber, columnNumber) : '';
    const via = url || name.startsWith('(') ? undefined : caller(node.id);
    const key = `${name}\u0000${location}\u0000${via ?? ''}`;
    const entry = byFunction.get(key) ?? { functionName: name, location, ...(via === undefined ? {} : { via }), us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const entries = [...byFunction.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, limit)
    .map((e) => ({
      functionName: e.functionName,
      location: e.location,
      ...(e.via === undefined ? {} : { via: e.via }),
      selfMs: Math.round(e.us / 100) / 10,
      percent: Math.round((e.us / busyUs) * 1000) / 10,
    }));
  return { totalMs: Math.round(totalUs / 1000), idleMs: Math.round(idleUs / 1000), entries };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** url + 0-based line/column -> "file:line" (1-based), through the source map when there is one. */
function sourceLocator(root: string | undefined, mapSources: boolean): (url: string, line: number, column: number) => string {
  const maps = new Map<string, { map: SourceMap; dir: string } | null>();
  const relative = (file: string) => (root && file.startsWith(root + path.sep) ? path.relative(root, file) : file);
  return (url, line, column) => {
    let file: string;
    try {
      file = url.startsWith('file://') ? fileURLToPath(url) : url;
    } catch {
      return `${url}:${line + 1}`;
    }
    if (mapSources && path.isAbsolute(file) && file.endsWith('.js') && !file.includes(`${path.sep}node_modules${path.sep}`)) {
      let entry = maps.get(file);
      if (entry === undefined) {
        entry = null;
        const mapFile = `${file}.map`;
        try {
          if (existsSync(mapFile)) entry = { map: new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))), dir: path.dirname(mapFile) };
        } catch {
          entry = null;
        }
        maps.set(file, entry);
      }
      if (entry) {
        const found = entry.map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
        if (found && typeof found.originalSource === 'string' && typeof found.originalLine === 'number') {
          const source = found.originalSource.startsWith('file://') ? fileURLToPath(found.originalSource) : path.resolve(entry.dir, found.originalSource);
          return `${relative(source)}:${found.originalLine + 1}`;
        }
      }
    }
    return `${relative(file)}:${line + 1}`;
  };
}
