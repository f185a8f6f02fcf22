import { describe, expect, it } from 'vitest';
import { acceptable } from '../../../scripts/licence-policy.ts';

describe('the licence policy of production dependencies', () => {
  it.each(['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC', 'LGPL-3.0-or-later', '(MIT OR GPL-3.0-or-later)', 'MIT AND Zlib', 'BlueOak-1.0.0'])(
    'accepts %s',
    (licence) => {
      expect(acceptable(licence)).toBe(true);
    },
  );

  it.each(['AGPL-3.0-or-later', 'GPL-2.0', 'GPL-3.0-only', 'MIT AND GPL-2.0', '(GPL-2.0 OR AGPL-3.0)', 'UNKNOWN', 'UNLICENSED', 'Custom: LICENSE', ''])(
    'refuses %s',
    (licence) => {
      expect(acceptable(licence)).toBe(false);
    },
  );
});
