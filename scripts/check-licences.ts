/**
 * `npm run licences`: fails when a production dependency is licensed only under the GPL or
 * AGPL (a firm deploying the service would be bound by it), or states no licence at all.
 * An SPDX `OR` expression passes when one alternative is permissive (`MIT OR GPL-3.0`: MIT is
 * chosen). The LGPL passes: it binds changes to the library itself, not the service that
 * links it (sharp's libvips is LGPL-3.0, dynamically loaded and unmodified). Prints every
 * licence with its count, then the offenders.
 */
import { execFileSync } from 'node:child_process';
import { acceptable } from './licence-policy.ts';

interface Entry {
  readonly licenses?: string | string[];
}

const output = execFileSync('npx', ['license-checker-rseidelsohn', '--production', '--excludePrivatePackages', '--json'], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
  stdio: ['ignore', 'pipe', 'ignore'],
});
const packages = JSON.parse(output) as Record<string, Entry>;

const counts = new Map<string, number>();
const offenders: string[] = [];
for (const [name, entry] of Object.entries(packages)) {
  const licence = [entry.licenses ?? 'UNKNOWN'].flat().join(' OR ');
  counts.set(licence, (counts.get(licence) ?? 0) + 1);
  if (!acceptable(licence)) offenders.push(`${name}: ${licence}`);
}
for (const [licence, count] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`${String(count).padStart(4)}  ${licence}`);
if (offenders.length > 0) {
  console.error(`\n${offenders.length} production dependencies under a licence a firm cannot deploy (GPL/AGPL only, or none stated):`);
  for (const offender of offenders) console.error(`  ${offender}`);
  process.exit(1);
}
console.log(`\n${Object.keys(packages).length} production dependencies, none GPL/AGPL-only or unlicensed.`);
