import { spawn, type ChildProcess } from 'node:child_process';

export interface ServiceProcess {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  name: string;
  entry: string;
  port: number;
  env: Record<string, string>;
  /** Forward the process output to this sink (e.g. the console for `make run`). */
  onOutput?: (line: string) => void;
  readyTimeoutMs?: number;
  /** Path answering 200 once ready. */
  readyPath?: string;
  /** Extra arguments for node itself (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

/** Starts a service as a child process and waits until it answers on its port. */
export async function spawnService(options: SpawnOptions): Promise<ServiceProcess> {
  const chunks: string[] = [];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry], {
    env: { ...process.env, ...options.env, PORT: String(options.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (data: Buffer) => {
    const text = data.toString();
    chunks.push(text);
    if (chunks.length > 5000) chunks.splice(0, 1000);
    if (options.onOutput) for (const line of text.split('\n')) if (line) options.onOutput(line);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${options.port}`;
  const service: ServiceProcess = {
    name: options.name,
    url,
    port: options.port,
    child,
    output: () => chunks.join(''),
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30000);
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  while (Date.now() < deadline) {
    if (exitedEarly) throw new Error(`${options.name} exited during startup:\n${service.output()}`);
    try {
      const res = await fetch(url + (options.readyPath ?? '/health'));
      if (res.status === 200) return service;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${options.name} did not become ready:\n${service.output()}`);
}
