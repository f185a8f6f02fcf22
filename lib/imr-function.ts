import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Props of an {@link ImrFunction}; everything but the handler folder has a default. */
export interface ImrFunctionProps {
  /** Folder under `functions/` holding `handler.ts`. */
  readonly handlerFolder: string;
  readonly environment?: Record<string, string>;
  /** Default 30 s. */
  readonly timeout?: Duration;
  /** Default 1024 MB. */
  readonly memorySize?: number;
  /** Default none (unreserved). */
  readonly reservedConcurrentExecutions?: number;
  /** Encrypts the function's log group. */
  readonly logKey: kms.IKey;
  /**
   * Node modules installed beside the bundle instead of bundled (default none). They are
   * installed for the function's platform (Linux, ARM64, glibc), whatever machine bundles:
   * sharp's native binary is an optional dependency chosen by npm for that platform.
   */
  readonly nodeModules?: string[];
  /** Shell commands run after bundling, given the project root and the bundle folder. */
  readonly afterBundling?: (projectRoot: string, outputDir: string) => string[];
}

/** The platform every function runs on: Lambda's Node.js runtimes are Amazon Linux (glibc). */
export const LAMBDA_ARCHITECTURE = lambda.Architecture.ARM_64;

/**
 * npm's settings that install node modules for {@link LAMBDA_ARCHITECTURE} rather than for the
 * machine that bundles (npm picks optional dependencies such as `@img/sharp-linux-arm64` by
 * `os`, `cpu` and `libc`). Given to `npm ci` in the bundle folder as environment variables.
 */
export const LAMBDA_PLATFORM_NPM_CONFIG: Readonly<Record<string, string>> = { npm_config_os: 'linux', npm_config_cpu: 'arm64', npm_config_libc: 'glibc' };

/**
 * A Lambda function of this service with the settings they all share:
 * - runtime: the newest Node.js CDK offers (`NODEJS_24_X`), every one on ARM64 (Graviton: cheaper per ms);
 * - bundled by `NodejsFunction` with the local esbuild (no Docker), ESM, minified, source maps;
 *   node modules installed beside a bundle are installed for Linux ARM64 ({@link LAMBDA_PLATFORM_NPM_CONFIG});
 * - the AWS SDK v3 left to the runtime; tesseract.js left out (Lambda sends scans to Textract); sharp and PDFium
 *   external, installed beside the functions that use them (`nodeModules`);
 * - 1024 MB, 30 s, X-Ray active tracing;
 * - its own log group, KMS-encrypted, kept 90 days, JSON logs; Powertools reads `POWERTOOLS_*`.
 */
export class ImrFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: ImrFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, encryptionKey: props.logKey });
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(ROOT, 'functions', props.handlerFolder, 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { POWERTOOLS_LOG_LEVEL: 'INFO', NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      projectRoot: ROOT,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // PDFium is installed beside the functions that read PDFs (nodeModules); elsewhere it is never loaded.
        externalModules: ['@aws-sdk/*', 'sharp', 'tesseract.js', '@tesseract.js-data/eng', '@hyzyla/pdfium'],
        nodeModules: props.nodeModules,
        // npm ci in the bundle folder installs the node modules for Lambda's platform, not this machine's.
        ...(props.nodeModules?.length ? { environment: { ...LAMBDA_PLATFORM_NPM_CONFIG } } : {}),
        ...(props.afterBundling ? { commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: props.afterBundling } } : {}),
      },
    });
  }
}
