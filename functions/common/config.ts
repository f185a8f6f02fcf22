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
  PUBLIC_BASE_URL: publicBaseUrl(),
};

/**
 * The service's public address (`PUBLIC_BASE_URL`): where its API and console are reached, so
 * events carry absolute links. Optional (links stay the API's paths); when set, an https URL
 * with no path beyond `/`, query or fragment.
 */
function publicBaseUrl() {
  return z
    .string()
    .refine((value) => isPublicBaseUrl(value, ['https:']))
    .optional();
}

/** Whether `value` is a base URL events can link under: one of `protocols`, a host, and nothing after it but `/`. */
export function isPublicBaseUrl(value: string, protocols: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    protocols.includes(url.protocol) &&
    url.hostname !== '' &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    /^\/?$/.test(url.pathname)
  );
}
