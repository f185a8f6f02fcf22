import { z } from 'zod';

/** A configuration variable that is missing or malformed: the function cannot start. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * Reads and validates the environment once, at cold start. A missing or malformed variable
 * fails with one message naming every such variable (never its value).
 */
export function loadConfig<T extends z.ZodRawShape>(shape: T, environment: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(environment);
  if (!result.success) {
    const names = [...new Set(result.error.issues.map((issue) => issue.path.join('.')))];
    throw new ConfigurationError(`missing or invalid configuration: ${names.join(', ')}`);
  }
  return result.data;
}

/** Variables every function of the service reads. */
export const SERVICE_CONFIG = {
  TABLE_NAME: z.string().min(1),
  TEXT_BUCKET: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
};
