import 'vitest';
import type { CustomMatcher } from 'aws-sdk-client-mock-vitest';

declare module 'vitest' {
  // Declaration merging must repeat vitest's own `T = any` parameter and add no members.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends CustomMatcher<T> {}
}
