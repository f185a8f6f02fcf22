import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ServiceConfig } from './config.ts';
import { StatefulResources } from './stateful-resources.ts';
import { ServiceResources } from './service-resources.ts';
import { acknowledgeFindings } from './nag-acknowledgements.ts';

/** Props of the stack. */
export interface ImrStackProps extends StackProps {
  readonly config: ServiceConfig;
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
    acknowledgeFindings(this);
  }
}
