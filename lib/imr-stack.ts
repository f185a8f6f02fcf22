import { Aspects, CfnResource, Stack, type IAspect, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct, IConstruct } from 'constructs';
import type { ServiceConfig } from './config.ts';
import { LAMBDA_ARCHITECTURE } from './imr-function.ts';
import { StatefulResources } from './stateful-resources.ts';
import { ServiceResources } from './service-resources.ts';
import { acknowledgeFindings } from './nag-acknowledgements.ts';

/** Props of the stack. */
export interface ImrStackProps extends StackProps {
  readonly config: ServiceConfig;
}

/**
 * Puts CDK's own functions (the S3 notifications handler, the auto-delete provider), which
 * declare no architecture and so would run on x86_64, on the service's ARM64 as well: their
 * code is inline Python or plain JavaScript, with no native binary.
 */
class EveryFunctionOnArm64 implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof lambda.CfnFunction) {
      node.architectures ??= [LAMBDA_ARCHITECTURE.name];
    } else if (node instanceof CfnResource && node.cfnResourceType === 'AWS::Lambda::Function') {
      node.addPropertyOverride('Architectures', [LAMBDA_ARCHITECTURE.name]);
    }
  }
}

/**
 * One deployment: the stateful resources (data) and the stateless service (functions, API,
 * events, alarms) as two constructs of one stack. One stack because the grants between them
 * (KMS key policies, queue policies) would otherwise make two stacks depend on each other.
 */
export class ImrStack extends Stack {
  readonly data: StatefulResources;
  readonly service: ServiceResources;

  constructor(scope: Construct, id: string, props: ImrStackProps) {
    super(scope, id, props);
    this.data = new StatefulResources(this, 'Data', { config: props.config });
    this.service = new ServiceResources(this, 'Service', { config: props.config, data: this.data });
    Aspects.of(this).add(new EveryFunctionOnArm64());
    acknowledgeFindings(this);
  }
}
