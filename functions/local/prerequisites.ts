import { spawnSync } from 'node:child_process';
import { CodedError } from '../common/coded-error.ts';

/** A program the machine lacks (code `MISSING_PREREQUISITE`): the message names it and how to install it. */
export class PrerequisiteError extends CodedError<'MISSING_PREREQUISITE'> {
  override readonly name = 'PrerequisiteError';
}

/** A program some commands need, with the one command that installs it on each platform. */
export interface Prerequisite {
  /** What a person calls it. */
  readonly name: string;
  /** The executable, and arguments that make it print its version and exit 0. */
  readonly command: string;
  readonly probe: readonly string[];
  /** What needs it, as a user would say it. */
  readonly neededFor: string;
  readonly debian: string;
  readonly macos: string;
}

/** Java 17+, which runs Amazon's DynamoDB Local. */
export const JAVA: Prerequisite = {
  name: 'Java 17 or newer',
  command: 'java',
  probe: ['-version'],
  neededFor: 'DynamoDB Local',
  debian: 'sudo apt-get install -y openjdk-17-jre-headless',
  macos: 'brew install openjdk@17',
};

/** The AWS CLI, which uploads letters to the local (or real) S3 bucket. */
export const AWS_CLI: Prerequisite = {
  name: 'the AWS CLI',
  command: 'aws',
  probe: ['--version'],
  neededFor: 'uploading letters with `aws s3 cp`',
  debian: 'sudo apt-get install -y awscli',
  macos: 'brew install awscli',
};

/** The one line that says what is missing and how to install it. */
export function missingMessage(prerequisite: Prerequisite): string {
  return `${prerequisite.name} (\`${prerequisite.command}\`) is needed for ${prerequisite.neededFor} and was not found: install it with \`${prerequisite.debian}\` (Debian/Ubuntu) or \`${prerequisite.macos}\` (macOS)`;
}

/** Whether the program runs here. */
export function isInstalled(prerequisite: Prerequisite): boolean {
  const probe = spawnSync(prerequisite.command, prerequisite.probe, { stdio: 'ignore', timeout: 15_000 });
  return probe.error === undefined && probe.status === 0;
}

/** Throws {@link PrerequisiteError} with one clear line when the program does not run here. */
export function requirePrerequisite(prerequisite: Prerequisite): void {
  if (!isInstalled(prerequisite)) throw new PrerequisiteError('MISSING_PREREQUISITE', missingMessage(prerequisite));
}
