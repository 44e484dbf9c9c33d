/**
 * Stands in for pino in the Workers bundle (wrangler.toml `[alias]`): the part of its API the
 * relay uses (levels, `child`, `redact.paths` with `censor`, `base`, `hooks.streamWrite`), writing one JSON line per
 * record through `console`, which Workers Logs indexes. pino's browser build and its redaction
 * engine cost ≈ 5 KiB gzip of the Worker's budget. Redaction paths are pino's syntax as
 * src/lib/logger.ts uses it: dotted keys, `*` for any one key, and `["quoted key"]`.
 */
const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type LevelName = keyof typeof LEVELS;
type Fields = Record<string, unknown>;

interface Options {
  level?: string;
  base?: Fields;
  redact?: { paths: string[]; censor?: string };
  /** Rewrites each line before it is written (the relay scrubs secret values there). */
  hooks?: { streamWrite?: (line: string) => string };
}

interface DispatcherLogger extends Record<LevelName, (objOrMsg?: unknown, msg?: string) => void> {
  level: string;
  child(bindings: Fields): DispatcherLogger;
  isLevelEnabled(level: string): boolean;
}

/** `headers["x-callback-token"]` → ['headers', 'x-callback-token']. */
function parsePath(path: string): string[] {
  return [...path.matchAll(/\["([^"]+)"\]|([^.[\]]+)/g)].map((m) => m[1] ?? m[2]!);
}

/** A copy of `value` with every path censored; only the objects on a path are copied. */
function redact(value: unknown, paths: string[][], censor: string): unknown {
  let out = value;
  for (const path of paths) out = censorPath(out, path, censor);
  return out;
}

function censorPath(value: unknown, path: string[], censor: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const record = value as Fields;
  const keys = head === '*' ? Object.keys(record) : Object.hasOwn(record, head) ? [head] : [];
  if (keys.length === 0) return value;
  const copy: Fields = { ...record };
  for (const key of keys) copy[key] = rest.length === 0 ? censor : censorPath(record[key], rest, censor);
  return copy;
}

function serialise(_key: string, value: unknown): unknown {
  return value instanceof Error ? { type: value.name, message: value.message } : value;
}

export default function pino(options: Options = {}): DispatcherLogger {
  const paths = (options.redact?.paths ?? []).map(parsePath);
  const censor = options.redact?.censor ?? '[Redacted]';
  const threshold = options.level === 'silent' ? Infinity : (LEVELS[(options.level ?? 'info') as LevelName] ?? LEVELS.info);
  const make = (bindings: Fields): DispatcherLogger => {
    const write = (name: LevelName) => (objOrMsg?: unknown, msg?: string) => {
      if (LEVELS[name] < threshold) return;
      const fields = typeof objOrMsg === 'object' && objOrMsg !== null ? (objOrMsg as Fields) : {};
      const message = typeof objOrMsg === 'string' ? objOrMsg : msg;
      const record = redact({ level: LEVELS[name], time: Date.now(), ...bindings, ...fields, ...(message !== undefined && { msg: message }) }, paths, censor);
      const json = JSON.stringify(record, serialise);
      const line = options.hooks?.streamWrite ? options.hooks.streamWrite(json) : json;
      if (name === 'error' || name === 'fatal') console.error(line);
      else if (name === 'warn') console.warn(line);
      else console.log(line);
    };
    return {
      level: options.level ?? 'info',
      trace: write('trace'),
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      fatal: write('fatal'),
      child: (more) => make({ ...bindings, ...more }),
      isLevelEnabled: (level) => (LEVELS[level as LevelName] ?? Infinity) >= threshold,
    };
  };
  return make({ ...options.base });
}
