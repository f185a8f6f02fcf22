import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { readServiceConfig } from './config.ts';
import { ImrStack } from './imr-stack.ts';

/** Adds the service's stack to an app, with cdk-nag's AwsSolutions and HIPAA Security packs checking it. */
export function buildApp(app: App): ImrStack {
  const config = readServiceConfig(app.node);
  const stack = new ImrStack(app, `Imr-${config.stage}`, {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    config,
    description: 'IMR Final Determination letters: inbox to Textract to DynamoDB, events, webhooks and query API',
  });
  Tags.of(app).add('project', 'imr-letters');
  Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  return stack;
}
