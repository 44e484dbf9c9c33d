/**
 * Reads the Dockerfile's runtime stage (the last FROM) into steps a test can perform: what it
 * copies from the build context and from the build stage, its RUN, ENV, CMD and HEALTHCHECK.
 * One instruction per line (the Dockerfile says so); JSON-array CMD and HEALTHCHECK CMD.
 */
export interface RuntimeStage {
  /** The base image, e.g. `node:24.21.0-slim`. */
  base: string;
  workdir: string;
  /** `COPY <sources…> <dest>` from the build context. */
  contextCopies: { sources: string[]; dest: string }[];
  /** `COPY --from=<stage> <source> <dest>`. */
  stageCopies: { stage: string; source: string; dest: string }[];
  runs: string[];
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[] | null;
  user: string | null;
  volumes: string[];
  expose: string[];
}

/** Parses the last stage; throws naming the line it cannot read. */
export function readRuntimeStage(dockerfile: string): RuntimeStage {
  const lines = dockerfile.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const last = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  if (last < 0) throw new Error('Dockerfile has no FROM');
  const stage: RuntimeStage = {
    base: lines[last]!.split(/\s+/)[1]!,
    workdir: '/',
    contextCopies: [],
    stageCopies: [],
    runs: [],
    env: {},
    cmd: [],
    healthcheck: null,
    user: null,
    volumes: [],
    expose: [],
  };
  for (const line of lines.slice(last + 1)) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = line.slice(instruction.length).trim();
    switch (instruction.toUpperCase()) {
      case 'WORKDIR':
        stage.workdir = args;
        break;
      case 'COPY': {
        const from = /^--from=(\S+)$/.exec(rest[0] ?? '');
        const paths = from ? rest.slice(1) : rest;
        if (paths.length < 2 || paths.some((p) => p.startsWith('--'))) throw new Error(`cannot read: ${line}`);
        const dest = paths.at(-1)!;
        if (from) stage.stageCopies.push({ stage: from[1]!, source: paths[0]!, dest });
        else stage.contextCopies.push({ sources: paths.slice(0, -1), dest });
        break;
      }
      case 'RUN':
        stage.runs.push(args);
        break;
      case 'ENV': {
        const match = /^(\w+)=(.*)$/.exec(args);
        if (!match) throw new Error(`cannot read (one NAME=value per ENV): ${line}`);
        stage.env[match[1]!] = match[2]!;
        break;
      }
      case 'CMD':
        stage.cmd = JSON.parse(args) as string[];
        break;
      case 'HEALTHCHECK': {
        const at = args.indexOf('CMD [');
        if (at < 0) throw new Error(`cannot read (JSON-array CMD expected): ${line}`);
        stage.healthcheck = JSON.parse(args.slice(at + 4)) as string[];
        break;
      }
      case 'USER':
        stage.user = args;
        break;
      case 'VOLUME':
        stage.volumes.push(...rest);
        break;
      case 'EXPOSE':
        stage.expose.push(...rest);
        break;
      default:
        throw new Error(`instruction not handled by the container-steps test: ${line}`);
    }
  }
  return stage;
}
