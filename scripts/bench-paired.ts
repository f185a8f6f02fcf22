/**
 * `npm run bench:paired -- REV [--rounds N]`: the service path of `npm run bench`'s end-to-end
 * figure (200 text letters uploaded at once to the local service, until the 200th is read, stored
 * and announced) on this working tree and on git revision REV, in paired rounds: each round runs
 * both, one after the other (which goes first alternates), each in a fresh process
 * (`scripts/paired-round.ts`). It prints each side's seconds and the ratio of this tree to REV,
 * round by round and min / median / max, and in how many rounds this tree was faster.
 *
 * Why: this host's speed moved by a quarter within an hour, so figures taken minutes apart cannot
 * tell a 5-10% change from noise; the ratio within a round can. REV is checked out in a temporary
 * git worktree beside the project (its `node_modules` linked to this one's), removed at the end.
 */
import { execFileSync, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const { values, positionals } = parseArgs({ options: { rounds: { type: 'string', default: '8' } }, allowPositionals: true });
const revision = positionals[0];
const rounds = Number(values.rounds);
if (!revision || !Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: npm run bench:paired -- <git revision> [--rounds N]');
  process.exit(1);
}
const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
const round = fileURLToPath(new URL('./paired-round.ts', import.meta.url));
const worktree = join(mkdtempSync(join(tmpdir(), 'imr-paired-rev-')), 'tree');
/** The worktree removed (and its registration pruned), whatever state it was left in. */
const removeWorktree = () => {
  try {
    execFileSync('git', ['-C', here, 'worktree', 'remove', '--force', worktree], { stdio: 'ignore' });
  } catch {
    execFileSync('git', ['-C', here, 'worktree', 'prune']);
  }
  rmSync(dirname(worktree), { recursive: true, force: true });
};
// Stopped with Ctrl-C (a run takes minutes): no worktree is left registered.
process.once('SIGINT', () => {
  removeWorktree();
  process.exit(130);
});

/** One round of `project` in a fresh process: its seconds. */
async function secondsOf(project: string, nonce: string): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', round, project, nonce], { cwd: here, maxBuffer: 1 << 20 });
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { seconds: number }).seconds;
}

const spread = (xs: readonly number[], digits: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `${sorted[0]!.toFixed(digits)} / ${sorted[Math.floor(sorted.length / 2)]!.toFixed(digits)} / ${sorted.at(-1)!.toFixed(digits)}`;
};

try {
  execFileSync('git', ['-C', here, 'worktree', 'add', '--detach', '--quiet', worktree, revision], { stdio: 'inherit' });
  symlinkSync(join(here, 'node_modules'), join(worktree, 'node_modules'));
  const tree: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const nonce = `${process.pid}-${r}`;
    // Which side goes first alternates: a host getting faster or slower within a round favours neither.
    if (r % 2 === 0) {
      tree.push(await secondsOf(here, `${nonce}-tree`));
      base.push(await secondsOf(worktree, `${nonce}-base`));
    } else {
      base.push(await secondsOf(worktree, `${nonce}-base`));
      tree.push(await secondsOf(here, `${nonce}-tree`));
    }
    console.log(`round ${r + 1}: this tree ${tree[r]!.toFixed(2)} s, ${revision} ${base[r]!.toFixed(2)} s, ratio ${(tree[r]! / base[r]!).toFixed(3)}`);
  }
  const ratios = tree.map((seconds, r) => seconds / base[r]!);
  console.log(
    `200 text letters through the local service over ${rounds} paired rounds (min / median / max): this tree ${spread(tree, 2)} s, ${revision} ${spread(base, 2)} s; ratio ${spread(ratios, 3)}; this tree faster in ${ratios.filter((ratio) => ratio < 1).length} of ${rounds}`,
  );
} finally {
  removeWorktree();
}
