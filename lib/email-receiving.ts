import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { grantSesStore } from './grants.ts';
import { RAW_EMAIL_PREFIX, type RawEmailStorage } from './stateful-resources.ts';

/** Props of {@link EmailReceiving}. */
export interface EmailReceivingProps {
  /** The deployment's stage: the rule set is `imr-<stage>-email`. */
  readonly stage: string;
  /** Addresses or domains SES receives mail for. */
  readonly recipients: string[];
  readonly storage: RawEmailStorage;
}

/** The receipt rule's name in its rule set. */
export const RECEIPT_RULE_NAME = 'store-raw-email';

/**
 * SES receiving for email intake: a receipt rule set with one rule that, for the configured
 * recipients, requires TLS from the sending server, scans for spam and viruses (the verdicts the
 * email function reads) and stores each message in the raw-email bucket under
 * {@link RAW_EMAIL_PREFIX}, which notifies the email function's queue.
 *
 * An account and region have one active rule set: this one is created inactive, and is made
 * active by hand (`aws ses set-active-receipt-rule-set`; see the README), so that deploying never
 * replaces a rule set another application relies on.
 */
export class EmailReceiving extends Construct {
  readonly ruleSet: ses.ReceiptRuleSet;
  readonly rule: ses.ReceiptRule;

  constructor(scope: Construct, id: string, props: EmailReceivingProps) {
    super(scope, id);
    const ruleSetName = `imr-${props.stage}-email`;
    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: ruleSetName });
    // Named, so the bucket policy can name the rule without referring to it (the rule depends on the policy: SES checks it may write when the rule is created).
    const ruleArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${ruleSetName}:receipt-rule/${RECEIPT_RULE_NAME}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const { bucket, key } = props.storage;
    grantSesStore(bucket, key, RAW_EMAIL_PREFIX, ruleArn);
    this.rule = this.ruleSet.addRule('StoreRawEmail', {
      receiptRuleName: RECEIPT_RULE_NAME,
      recipients: props.recipients,
      enabled: true,
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [{ bind: () => ({ s3Action: { bucketName: bucket.bucketName, objectKeyPrefix: RAW_EMAIL_PREFIX } }) }],
    });
    this.rule.node.addDependency(bucket.policy!);
  }
}
