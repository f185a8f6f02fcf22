/**
 * The synthesized functions, run as Lambda runs them: each bundle (the `cdk.out` asset, as
 * uploaded) staged in a folder with only the AWS SDK v3 above it (what the Node.js runtime
 * provides), in its own process on the Node major the template's runtime names, with the
 * template's environment (resolved) and the runtime's own variables, its own credentials, its
 * timeout, and Lambda's 6 MB limit on what an invocation returns.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { REGION, resolve, resourcesOfType, type Physical, type Template } from './template.ts';

/** Lambda's limit on a synchronous invocation's response payload (and its request's). */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

/** A function of the template that runs here. */
export interface FunctionSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly runtime: string;
  readonly architectures: string[];
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly assetPath: string;
  readonly roleLogicalId: string;
  /** The template's `Environment.Variables`, resolved. */
  readonly environment: Record<string, string>;
  /** Its own access key: the proxy names calls made with it. */
  readonly accessKeyId: string;
}

/** An invocation's failure, as Lambda reports it (`Function.ResponseSizeTooLarge`, `Sandbox.Timedout`, the handler's error). */
export class LambdaInvocationError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
    readonly logTail: string,
  ) {
    super(`${functionName}: ${errorType}: ${message}${logTail ? `\n--- last log lines ---\n${logTail}` : ''}`);
    this.name = 'LambdaInvocationError';
  }
}

/** The Node.js functions of the template (those with a bundle asset). */
export function functionSpecs(template: Template, physical: ReadonlyMap<string, Physical>, assemblyDir: string): FunctionSpec[] {
  return resourcesOfType(template, 'AWS::Lambda::Function')
    .filter(([, resource]) => typeof resource.Metadata?.['aws:asset:path'] === 'string' && String(resource.Properties?.Runtime).startsWith('nodejs'))
    .map(([logicalId, resource], index) => {
      const props = resource.Properties!;
      const role = props.Role as { 'Fn::GetAtt': [string, string] };
      const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      return {
        logicalId,
        name: physical.get(logicalId)!.ref,
        arn: physical.get(logicalId)!.attributes.Arn!,
        runtime: String(props.Runtime),
        architectures: (props.Architectures as string[] | undefined) ?? ['x86_64'],
        handler: String(props.Handler),
        timeoutSeconds: Number(props.Timeout ?? 3),
        memoryMb: Number(props.MemorySize ?? 128),
        assetPath: join(assemblyDir, String(resource.Metadata!['aws:asset:path'])),
        roleLogicalId: role['Fn::GetAtt'][0],
        environment: Object.fromEntries(Object.entries(resolve(variables, physical) as Record<string, unknown>).map(([key, value]) => [key, String(value)])),
        accessKeyId: `AKIAFN${String(index).padStart(2, '0')}${logicalId
          .replace(/[^A-Z0-9]/gi, '')
          .toUpperCase()
          .slice(0, 12)
          .padEnd(12, 'X')}`,
      };
    });
}

/** Every package the AWS SDK v3 packages need, by name (their dependency closure in the project's node_modules). */
function sdkClosure(projectModules: string): string[] {
  const seen = new Set<string>();
  const queue = readdirSync(join(projectModules, '@aws-sdk')).map((name) => `@aws-sdk/${name}`);
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name) || !existsSync(join(projectModules, name, 'package.json'))) continue;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(join(projectModules, name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    queue.push(...Object.keys(pkg.dependencies ?? {}));
  }
  return [...seen].sort();
}

/** The staged bundles: one folder per function under a root holding the SDK. */
export interface Staging {
  readonly root: string;
  readonly sdkPackages: number;
  readonly notes: string[];
  folderOf(spec: FunctionSpec): string;
}

/**
 * Copies each bundle into `root/<logicalId>/` and links the SDK's packages into
 * `root/node_modules/`, nothing else: a bundle importing any other package fails as on Lambda.
 * A bundle built for arm64 with a native module (sharp) gets the x64 build of that module
 * beside it, since this machine is x64: the only change made to a bundle, and reported.
 */
export function stageBundles(specs: readonly FunctionSpec[], root: string, projectModules: string): Staging {
  const modules = join(root, 'node_modules');
  mkdirSync(modules, { recursive: true });
  const packages = sdkClosure(projectModules);
  for (const name of packages) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(projectModules, name), join(modules, name), 'dir');
  }
  const notes: string[] = [];
  for (const spec of specs) {
    const folder = join(root, spec.logicalId);
    cpSync(spec.assetPath, folder, { recursive: true });
    const sharpDir = join(folder, 'node_modules', 'sharp');
    if (existsSync(sharpDir) && process.arch === 'x64' && !existsSync(join(folder, 'node_modules', '@img', 'sharp-linux-x64'))) {
      const bundled = (JSON.parse(readFileSync(join(sharpDir, 'package.json'), 'utf8')) as { version: string }).version;
      const local = (JSON.parse(readFileSync(join(projectModules, 'sharp', 'package.json'), 'utf8')) as { version: string }).version;
      if (bundled !== local) throw new Error(`${spec.logicalId} bundles sharp ${bundled}; the project has ${local} for x64`);
      const installed = readdirSync(join(folder, 'node_modules', '@img')).join(', ');
      for (const name of ['sharp-linux-x64', 'sharp-libvips-linux-x64'])
        symlinkSync(join(projectModules, '@img', name), join(folder, 'node_modules', '@img', name), 'dir');
      notes.push(
        `${spec.logicalId}: bundle has sharp ${bundled} with ${installed} (for ${spec.architectures.join(',')}); linked @img/sharp-linux-x64 and sharp-libvips-linux-x64 beside it to run on this x64 machine`,
      );
    }
  }
  return { root, sdkPackages: packages.length, notes, folderOf: (spec) => join(root, spec.logicalId) };
}

/** The Lambda context an invocation carries. */
function contextFor(spec: FunctionSpec, deadline: number) {
  return {
    functionName: spec.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: spec.arn,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${spec.name}`,
    logStreamName: `2026/01/01/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    deadline,
  };
}

/** One function's container: a warm process, started on first use and again after a crash or timeout. */
class Container {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private readonly pending = new Map<string, { resolve: (payload: string) => void; reject: (error: Error) => void }>();
  private readonly tail: string[] = [];
  private readonly log: WriteStream;
  coldStarts = 0;
  invocations = 0;
  runtimeVersion = '';

  constructor(
    private readonly spec: FunctionSpec,
    private readonly folder: string,
    private readonly node: string,
    private readonly bootstrap: string,
    private readonly env: Record<string, string>,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  logTail(lines = 25): string {
    return this.tail.slice(-lines).join('\n');
  }

  private start(): Promise<void> {
    this.coldStarts += 1;
    const child = fork(this.bootstrap, [], {
      execPath: this.node,
      cwd: this.folder,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.log.write(chunk);
      this.tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.tail.length > 200) this.tail.splice(0, this.tail.length - 200);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.ready = new Promise<void>((resolveReady, rejectReady) => {
      child.on('message', (message: { type: string; id?: string; payload?: string; error?: { errorType: string; errorMessage: string }; node?: string }) => {
        if (message.type === 'ready') {
          this.runtimeVersion = message.node ?? '';
          resolveReady();
        } else if (message.type === 'init-error') {
          rejectReady(
            new LambdaInvocationError(this.spec.logicalId, `Runtime.InitError (${message.error!.errorType})`, message.error!.errorMessage, this.logTail()),
          );
        } else if (message.id && this.pending.has(message.id)) {
          const waiter = this.pending.get(message.id)!;
          this.pending.delete(message.id);
          if (message.type === 'result') waiter.resolve(message.payload!);
          else waiter.reject(new LambdaInvocationError(this.spec.logicalId, message.error!.errorType, message.error!.errorMessage, this.logTail()));
        }
      });
      child.on('exit', (code, signal) => {
        const error = new LambdaInvocationError(this.spec.logicalId, 'Runtime.ExitError', `the process exited (${code ?? signal})`, this.logTail());
        rejectReady(error);
        for (const waiter of this.pending.values()) waiter.reject(error);
        this.pending.clear();
        if (this.child === child) {
          this.child = null;
          this.ready = null;
        }
      });
    });
    return this.ready;
  }

  async invoke(event: unknown): Promise<unknown> {
    const request = JSON.stringify(event);
    if (Buffer.byteLength(request) > LAMBDA_PAYLOAD_LIMIT_BYTES)
      throw new LambdaInvocationError(
        this.spec.logicalId,
        'RequestEntityTooLargeException',
        `request payload is ${Buffer.byteLength(request)} bytes, over Lambda's ${LAMBDA_PAYLOAD_LIMIT_BYTES}`,
        '',
      );
    if (!this.ready) await this.start();
    else await this.ready;
    const child = this.child!;
    const id = randomUUID();
    const deadline = Date.now() + this.spec.timeoutSeconds * 1000;
    this.invocations += 1;
    const payload = await new Promise<string>((resolvePayload, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        child.kill('SIGKILL');
        reject(
          new LambdaInvocationError(this.spec.logicalId, 'Sandbox.Timedout', `Task timed out after ${this.spec.timeoutSeconds}.00 seconds`, this.logTail()),
        );
      }, this.spec.timeoutSeconds * 1000);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolvePayload(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ id, event: JSON.parse(request) as unknown, context: contextFor(this.spec, deadline) });
    });
    const size = Buffer.byteLength(payload);
    if (size > LAMBDA_PAYLOAD_LIMIT_BYTES) {
      throw new LambdaInvocationError(
        this.spec.logicalId,
        'Function.ResponseSizeTooLarge',
        `Response payload size (${size} bytes) exceeded maximum allowed payload size (${LAMBDA_PAYLOAD_LIMIT_BYTES} bytes).`,
        '',
      );
    }
    return JSON.parse(payload) as unknown;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    this.ready = null;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolveExit) => {
        child.once('exit', () => resolveExit());
        child.kill('SIGTERM');
      });
    }
    await new Promise<void>((resolveEnd) => this.log.end(resolveEnd));
  }
}

/** The functions, ready to invoke by logical id. */
export interface LambdaService {
  readonly specs: readonly FunctionSpec[];
  invoke(logicalId: string, event: unknown): Promise<unknown>;
  stats(): Array<{ logicalId: string; coldStarts: number; invocations: number; node: string }>;
  logTail(logicalId: string): string;
  stop(): Promise<void>;
}

/** The runtime's own variables (documented "reserved" environment variables), with the function's credentials and endpoint. */
export function runtimeEnvironment(spec: FunctionSpec, folder: string, endpoint: string): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: spec.accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'emulated-secret',
    AWS_SESSION_TOKEN: `emulated-session-${spec.logicalId}`,
    AWS_ENDPOINT_URL: endpoint,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: folder,
    LAMBDA_RUNTIME_DIR: dirname(folder),
    _HANDLER: spec.handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin:/bin',
  };
}

/**
 * Starts nothing yet: each function's process starts on its first invocation (a cold start),
 * with the template's variables, the runtime's, and `extraEnvironment` for that function.
 */
export function lambdaService(
  specs: readonly FunctionSpec[],
  staging: Staging,
  options: { node: string; bootstrap: string; endpoint: string; logDir: string; extraEnvironment?: Record<string, Record<string, string>> },
): LambdaService {
  mkdirSync(options.logDir, { recursive: true });
  const containers = new Map(
    specs.map((spec) => {
      const folder = staging.folderOf(spec);
      const env = { ...spec.environment, ...runtimeEnvironment(spec, folder, options.endpoint), ...(options.extraEnvironment?.[spec.logicalId] ?? {}) };
      return [spec.logicalId, new Container(spec, folder, options.node, options.bootstrap, env, join(options.logDir, `${spec.logicalId}.log`))] as const;
    }),
  );
  const container = (logicalId: string) => {
    const found = containers.get(logicalId);
    if (!found) throw new Error(`no function ${logicalId}`);
    return found;
  };
  return {
    specs,
    invoke: (logicalId, event) => container(logicalId).invoke(event),
    stats: () => [...containers].map(([logicalId, c]) => ({ logicalId, coldStarts: c.coldStarts, invocations: c.invocations, node: c.runtimeVersion })),
    logTail: (logicalId) => container(logicalId).logTail(),
    stop: async () => {
      await Promise.all([...containers.values()].map((c) => c.stop()));
    },
  };
}
