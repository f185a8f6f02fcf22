/**
 * Every recorded call against the template's grants: each role's identity policies
 * (`AWS::IAM::Policy` and inline `Policies`), resolved to the provisioned ARNs, with IAM's
 * wildcards (`*`, `?`) in actions and resources. A call no Allow statement covers (or a Deny
 * does) is outside the grants; a statement's action that no call needed on any of the
 * statement's resources is unused, unless acknowledged with its reason. Conditions are not evaluated (the service's role policies
 * carry none), nor are resource and key policies, nor managed policies (logs only).
 */
import type { Authorization, RecordedCall } from './proxy.ts';
import { resolve, resourcesOfType, type Physical, type Template } from './template.ts';

interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: string[];
  readonly resources: string[];
  /** The resources as the template writes them (logical ids), for acknowledgements and reports. */
  readonly label: string;
}

/** One granted action of one statement of a role's policy (its resources space-separated). */
export interface Grant {
  readonly role: string;
  readonly action: string;
  readonly resource: string;
}

/** A grant kept though this run never uses it, and why. */
export interface Acknowledgement {
  /** Role logical id, or a prefix of it ending in `*`, or `*`. */
  readonly role: string;
  readonly action: string;
  /** A substring of the statement's resources as the template writes them (a logical id), if only some are meant. */
  readonly resourceIncludes?: string;
  readonly reason: string;
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);

/** IAM's wildcard match (`*` any run, `?` one character); actions compare case-insensitively. */
export function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const source =
    '^' +
    pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.') +
    '$';
  return new RegExp(source, ignoreCase ? 'i' : '').test(value);
}

/** Each role's statements, by role logical id. */
export function rolePolicies(template: Template, physical: ReadonlyMap<string, Physical>): Map<string, Statement[]> {
  const roles = new Map<string, Statement[]>(resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => [id, []]));
  type Document = { Statement?: Array<Record<string, unknown>> };
  const add = (role: string, written: Document) => {
    const document = resolve(written, physical) as Document;
    (document.Statement ?? []).forEach((statement, i) => {
      if (statement.NotAction || statement.NotResource) throw new Error(`${role}: NotAction/NotResource is not evaluated by this check`);
      const label = JSON.stringify(written.Statement![i]!.Resource)
        .replace(/\{"Fn::GetAtt":\["([^"]+)","Arn"\]\}/g, '$1')
        .replace(/\{"Ref":"([^"]+)"\}/g, '$1')
        .replace(/\{"Fn::Join":\["",\[([^\]]*)\]\]\}/g, (_, parts: string) => parts.replace(/[",]/g, ''));
      roles.get(role)?.push({ effect: statement.Effect as 'Allow' | 'Deny', actions: list(statement.Action), resources: list(statement.Resource), label });
    });
  };
  for (const [id, resource] of resourcesOfType(template, 'AWS::IAM::Role')) {
    for (const policy of (resource.Properties?.Policies ?? []) as Array<{ PolicyDocument: Document }>) add(id, policy.PolicyDocument);
  }
  for (const [, resource] of resourcesOfType(template, 'AWS::IAM::Policy')) {
    for (const role of (resource.Properties!.Roles ?? []) as Array<{ Ref: string }>) add(role.Ref, resource.Properties!.PolicyDocument as Document);
  }
  return roles;
}

/** Whether a role's statements allow an authorization. */
export function allows(statements: readonly Statement[], authorization: Authorization): boolean {
  const matches = (statement: Statement) =>
    statement.actions.some((action) => wildcard(action, authorization.action, true)) &&
    statement.resources.some((resource) => wildcard(resource, authorization.resource));
  return (
    !statements.some((statement) => statement.effect === 'Deny' && matches(statement)) &&
    statements.some((statement) => statement.effect === 'Allow' && matches(statement))
  );
}

/** The outcome of the check. */
export interface GrantReport {
  readonly checkedCalls: number;
  readonly checkedAuthorizations: number;
  readonly outside: Array<{ caller: string; operation: string; action: string; resource: string; via?: string }>;
  readonly unused: Grant[];
  readonly acknowledged: Array<Grant & { reason: string }>;
  readonly used: number;
  /** Acknowledgements that matched no unused grant (stale: remove them). */
  readonly staleAcknowledgements: Acknowledgement[];
}

/**
 * Checks the calls of the functions (by role) and of roles a service acted as (by ARN).
 * `callerRoles` maps a caller name (function logical id or role ARN) to its role logical id.
 */
export function checkGrants(
  calls: readonly RecordedCall[],
  policies: ReadonlyMap<string, Statement[]>,
  callerRoles: ReadonlyMap<string, string>,
  acknowledgements: readonly Acknowledgement[],
  roles: readonly string[],
): GrantReport {
  const outside: GrantReport['outside'] = [];
  const usedBy = new Map<string, Authorization[]>();
  let checkedCalls = 0;
  let checkedAuthorizations = 0;
  for (const call of calls) {
    if (call.caller === 'harness') continue;
    const role = callerRoles.get(call.caller);
    checkedCalls += 1;
    for (const authorization of call.authorizations) {
      checkedAuthorizations += 1;
      if (!role || !allows(policies.get(role) ?? [], authorization)) {
        outside.push({
          caller: call.caller,
          operation: `${call.service}:${call.operation}`,
          action: authorization.action,
          resource: authorization.resource,
          ...(authorization.via ? { via: authorization.via } : {}),
        });
        continue;
      }
      usedBy.set(role, [...(usedBy.get(role) ?? []), authorization]);
    }
  }
  const unused: Grant[] = [];
  const acknowledged: GrantReport['acknowledged'] = [];
  const matchedAcknowledgements = new Set<Acknowledgement>();
  let used = 0;
  // A grant is one action of one statement: used when a call needed that action on any of the statement's resources.
  for (const role of roles) {
    for (const statement of policies.get(role) ?? []) {
      if (statement.effect !== 'Allow') continue;
      for (const action of statement.actions) {
        const resource = statement.label;
        const isUsed = (usedBy.get(role) ?? []).some(
          (authorization) => wildcard(action, authorization.action, true) && statement.resources.some((pattern) => wildcard(pattern, authorization.resource)),
        );
        if (isUsed) {
          used += 1;
          continue;
        }
        const acknowledgement = acknowledgements.find(
          (ack) =>
            (ack.role === '*' || ack.role === role || (ack.role.endsWith('*') && role.startsWith(ack.role.slice(0, -1)))) &&
            ack.action.toLowerCase() === action.toLowerCase() &&
            (!ack.resourceIncludes || resource.includes(ack.resourceIncludes)),
        );
        if (acknowledgement) {
          matchedAcknowledgements.add(acknowledgement);
          acknowledged.push({ role, action, resource, reason: acknowledgement.reason });
        } else unused.push({ role, action, resource });
      }
    }
  }
  return {
    checkedCalls,
    checkedAuthorizations,
    outside,
    unused,
    acknowledged,
    used,
    staleAcknowledgements: acknowledgements.filter((ack) => !matchedAcknowledgements.has(ack)),
  };
}
