import { App, Tags, Validations, type Environment } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { readServiceConfig } from './config.ts';
import { ImrStack } from './imr-stack.ts';

/**
 * The account and region the stack is pinned to, only when given: context `account` and
 * `region` (`-c region=eu-west-1`), or `CDK_DEPLOY_ACCOUNT` and `CDK_DEPLOY_REGION`. Otherwise
 * none, and the template is environment-agnostic (`AWS::Region`, `AWS::AccountId`), deployable
 * to any account and region. `CDK_DEFAULT_REGION` is not read: the CDK CLI sets it to
 * us-east-1 when nothing is configured, which would bake that region into the template.
 */
export function deploymentEnvironment(node: Node): Environment | undefined {
  const given = (context: string, variable: string) => (node.tryGetContext(context) as string | undefined) || process.env[variable] || undefined;
  const account = given('account', 'CDK_DEPLOY_ACCOUNT');
  const region = given('region', 'CDK_DEPLOY_REGION');
  return account || region ? { account, region } : undefined;
}

/** Adds the service's stack to an app, with cdk-nag's AwsSolutions and HIPAA Security packs checking it. */
export function buildApp(app: App): ImrStack {
  const config = readServiceConfig(app.node);
  const stack = new ImrStack(app, `Imr-${config.stage}`, {
    env: deploymentEnvironment(app.node),
    // No CDKMetadata resource: telemetry is off for this project (cdk.json), and in an
    // environment-agnostic template that resource's condition lists every region by name.
    analyticsReporting: false,
    config,
    description: 'IMR Final Determination letters: inbox to Textract to DynamoDB, events, webhooks and query API',
  });
  Tags.of(app).add('project', 'imr-letters');
  Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  return stack;
}
