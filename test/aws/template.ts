/**
 * The synthesized CloudFormation template, read as CloudFormation reads it: resources by
 * logical id, and the intrinsic functions the service's template uses (`Ref`, `Fn::GetAtt`,
 * `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`) resolved against what was provisioned.
 */
import { readFileSync } from 'node:fs';

/** One resource of the template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

/** The template: its resources by logical id. */
export interface Template {
  readonly Resources: Record<string, TemplateResource>;
}

/** The account and region the emulated stack lives in (moto's default account). */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** What a provisioned resource answers to `Ref` and `Fn::GetAtt`. */
export interface Physical {
  readonly ref: string;
  readonly attributes: Record<string, string>;
}

/** Reads `<dir>/<stack>.template.json`. */
export function readTemplate(path: string): Template {
  return JSON.parse(readFileSync(path, 'utf8')) as Template;
}

/** Logical ids of every resource of a type, in template order. */
export function resourcesOfType(template: Template, type: string): Array<[string, TemplateResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

const PSEUDO: Record<string, string> = {
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Imr-emulated',
  'AWS::NoValue': '',
};

/** Resolves intrinsic functions in a value; a reference to a resource not in `physical` throws, naming it. */
export function resolve(value: unknown, physical: ReadonlyMap<string, Physical>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(item, physical));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [[name, argument]] = entries as [[string, unknown]];
    switch (name) {
      case 'Ref': {
        const id = argument as string;
        if (id in PSEUDO) return PSEUDO[id];
        const resource = physical.get(id);
        if (!resource) throw new Error(`Ref to ${id}, which was not provisioned`);
        return resource.ref;
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = (typeof argument === 'string' ? argument.split('.') : argument) as [string, string];
        const resource = physical.get(id);
        const result = resource?.attributes[attribute];
        if (result === undefined) throw new Error(`Fn::GetAtt ${id}.${attribute}: not provisioned`);
        return result;
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (resolve(parts, physical) as unknown[]).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number | string, unknown];
        return (resolve(list, physical) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return String(resolve(text, physical)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = (typeof argument === 'string' ? [argument, {}] : argument) as [string, Record<string, unknown>];
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (name in variables) return String(resolve(variables[name], physical));
          const [id, attribute] = name.split('.') as [string, string | undefined];
          return String(resolve(attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id }, physical));
        });
      }
      default:
        if (name.startsWith('Fn::')) throw new Error(`intrinsic ${name} is not handled by the emulation`);
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolve(item, physical)]));
}
