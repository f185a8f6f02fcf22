import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { readTesseractHocr, removePageFolders, TesseractCli } from '../../../functions/adapters/tesseract/recognizer.ts';
import { StreamingTesseract } from '../../../functions/adapters/tesseract/stream.ts';

const scratch = mkdtempSync(join(tmpdir(), 'tesseract-stream-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A stand-in for `tesseract ... -c stream_filelist=1 hocr`, as tesseract 5 behaves in that mode:
 * the document's header once, then for each file name read from its input that page's
 * `ocr_page` element, written in pieces with pauses between (as a pipe delivers a large page; one cut inside a tag),
 * the closing tags when its input ends. The page's one word is the file's size in bytes. Each
 * start appends its pid to `$FAKE_STARTS`; `$FAKE_STOP_AT=N` ends it with an error at its Nth page.
 */
function fakeTesseract(): string {
  const path = join(scratch, `fake-tesseract-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    path,
    `#!/bin/sh
[ "$1" = "--version" ] && { echo "tesseract 5.3.0"; exit 0; }
echo $$ >> "$FAKE_STARTS"
printf '<?xml version="1.0" encoding="UTF-8"?>\\n<html>\\n <body>\\n'
n=0
while IFS= read -r path; do
  n=$((n+1))
  if [ "$n" = "\${FAKE_STOP_AT:-0}" ]; then echo "Page $n : $path" >&2; echo "Error in pixReadMem: Unknown format - no pix returned" >&2; exit 1; fi
  size=$(wc -c < "$path")
  printf "  <div class='ocr_page' id='page_%d' title='bbox 0 0 600 400'>\\n   <div class='ocr_ca" $n
  sleep 0.05
  printf "rea' id='block_%d_1'>\\n" $n
  sleep 0.05
  printf "    <p class='ocr_par'><span class='ocr_line' title='bbox 10 10 200 40'><span class='ocrx_word' title='bbox 10 10 200 40; x_wconf 96'>"
  sleep 0.05
  printf "<span class='ocrx_cinfo' title='x_bboxes 10 10 200 40; x_conf 99'>%s</span></span></span></p>\\n   </div>\\n  </div>\\n" "$size"
done
printf ' </body>\\n</html>\\n'
`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** A blank PNG page `width` wide: its size in bytes tells pages apart in the stand-in's output. */
function page(width: number): Promise<Buffer> {
  return sharp({ create: { width, height: 50, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
}

function startsLogged(): string {
  const log = join(scratch, `starts-${Math.random().toString(36).slice(2)}`);
  writeFileSync(log, '');
  process.env.FAKE_STARTS = log;
  return log;
}

const starts = (log: string) => readFileSync(log, 'utf8').split('\n').filter(Boolean).length;

describe('tesseract engines that read page after page (stream_filelist)', () => {
  it('reads pages in turn through one engine, each answer that page alone, however the output is cut', async () => {
    const log = startsLogged();
    const folder = mkdtempSync(join(scratch, 'pages-'));
    const cli = new TesseractCli(fakeTesseract(), folder);
    const pages = await Promise.all([100, 200, 300].map(page));
    const words: string[] = [];
    for (const png of pages) words.push((await cli.recognize(png)).text);
    expect(words).toEqual(pages.map((png) => String(png.length)));
    expect(starts(log)).toBe(1);
    // Each page's file is removed once read; the folder is private and goes with close().
    const [own] = readdirSync(folder);
    expect(own).toMatch(new RegExp(`^imr-ocr-${process.pid}-`));
    expect(statSync(join(folder, own!)).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(folder, own!))).toEqual([]);
    await cli.close();
    expect(readdirSync(folder)).toEqual([]);
  });

  it('reads pages asked for at once in as many engines, and reuses them afterwards', async () => {
    const log = startsLogged();
    const cli = new TesseractCli(fakeTesseract(), scratch);
    const pages = await Promise.all([110, 210, 310].map(page));
    const first = await Promise.all(pages.map((png) => cli.recognize(png)));
    expect(first.map((read) => read.text)).toEqual(pages.map((png) => String(png.length)));
    const again = await Promise.all(pages.map((png) => cli.recognize(png)));
    expect(again.map((read) => read.text)).toEqual(pages.map((png) => String(png.length)));
    expect(starts(log)).toBe(3);
    await cli.close();
  });

  it('starts engines before any page when asked, and reads the first pages with them', async () => {
    const log = startsLogged();
    const cli = new TesseractCli(fakeTesseract(), scratch);
    cli.start(2);
    // Each start writes its pid as it begins: waited for, not timed.
    for (let waited = 0; starts(log) < 2 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(starts(log)).toBe(2);
    const pages = await Promise.all([115, 215].map(page));
    expect((await Promise.all(pages.map((png) => cli.recognize(png)))).map((read) => read.text)).toEqual(pages.map((png) => String(png.length)));
    expect(starts(log)).toBe(2);
    await cli.close();
  });

  it('fails the page an engine stopped on, with its last error line, and reads the next page with a new engine', async () => {
    const log = startsLogged();
    process.env.FAKE_STOP_AT = '2';
    try {
      const cli = new TesseractCli(fakeTesseract(), scratch);
      const [one, two, three] = await Promise.all([120, 220, 320].map(page));
      expect((await cli.recognize(one!)).text).toBe(String(one!.length));
      await expect(cli.recognize(two!)).rejects.toThrow(/tesseract stopped \(exit code 1\): Error in pixReadMem: Unknown format/);
      expect((await cli.recognize(three!)).text).toBe(String(three!.length));
      expect(starts(log)).toBe(2);
      await cli.close();
    } finally {
      delete process.env.FAKE_STOP_AT;
    }
  });

  it('refuses a file name that would read as two lines, and a second page while it reads one', async () => {
    startsLogged();
    const engine = new StreamingTesseract(fakeTesseract(), []);
    await expect(engine.read(join(scratch, 'a\nb.png'))).rejects.toThrow('line break');
    const file = join(scratch, 'one.png');
    writeFileSync(file, await page(130));
    const reading = engine.read(file);
    await expect(engine.read(file)).rejects.toThrow('one page at a time');
    expect(readTesseractHocr(await reading).text).toBe(String(statSync(file).size));
    engine.close();
  });

  it('fails a page when the binary cannot be started at all', async () => {
    const cli = new TesseractCli(join(scratch, 'no-such-tesseract'), scratch);
    await expect(cli.recognize(await page(140))).rejects.toThrow(/ENOENT/);
    await cli.close();
  });

  it('lets a process end while its engines are idle (a command-line run does not wait for them)', async () => {
    const log = startsLogged();
    const script = join(scratch, 'idle.mts');
    const png = join(scratch, 'idle.png');
    writeFileSync(png, await page(150));
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
import { TesseractCli } from ${JSON.stringify(new URL('../../../functions/adapters/tesseract/recognizer.ts', import.meta.url).pathname)};
const cli = new TesseractCli(${JSON.stringify(fakeTesseract())}, ${JSON.stringify(scratch)});
console.log((await cli.recognize(readFileSync(${JSON.stringify(png)}))).text);
// Not closed: the process must end all the same.
`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000, cwd: process.cwd() });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+$/);
    expect(starts(log)).toBe(1);
    // Its page folder went with it.
    expect(readdirSync(scratch).filter((entry) => entry.startsWith(`imr-ocr-${run.pid}-`))).toEqual([]);
  });

  it("removes the page folders a killed process left: its own, a dead process's, or all of them, and nothing else", () => {
    const folder = mkdtempSync(join(scratch, 'left-'));
    // A pid no process has (above Linux's pid_max), and this process's own.
    const dead = 4_194_305;
    for (const name of ['imr-ocr-111-a', 'imr-ocr-111-b', `imr-ocr-${dead}-a`, `imr-ocr-${process.pid}-a`, '111-notes', 'photos'])
      mkdtempSync(join(folder, name));
    expect(removePageFolders(folder, 111)).toBe(2);
    expect(removePageFolders(folder, undefined, { deadOnly: true })).toBe(1);
    expect(readdirSync(folder).filter((entry) => entry.startsWith('imr-ocr-'))).toEqual([expect.stringMatching(new RegExp(`^imr-ocr-${process.pid}-a`))]);
    expect(removePageFolders(folder)).toBe(1);
    expect(readdirSync(folder).sort()).toEqual([expect.stringMatching(/^111-notes/), expect.stringMatching(/^photos/)]);
    expect(removePageFolders(join(folder, 'missing'))).toBe(0);
  });

  it('reads on when its page folder is removed from under it (a cleaner of temporary files), and leaves no page behind', async () => {
    startsLogged();
    const folder = mkdtempSync(join(scratch, 'cleaned-'));
    const cli = new TesseractCli(fakeTesseract(), folder);
    const [one, two] = await Promise.all([125, 225].map(page));
    expect((await cli.recognize(one!)).text).toBe(String(one!.length));
    for (const entry of readdirSync(folder)) rmSync(join(folder, entry), { recursive: true });
    expect((await cli.recognize(two!)).text).toBe(String(two!.length));
    const [own] = readdirSync(folder);
    expect(readdirSync(join(folder, own!))).toEqual([]);
    await cli.close();
    expect(readdirSync(folder)).toEqual([]);
  });

  it('lets a page under way finish when closed, then removes its folder', async () => {
    startsLogged();
    const folder = mkdtempSync(join(scratch, 'closing-'));
    const cli = new TesseractCli(fakeTesseract(), folder);
    const png = await page(135);
    const reading = cli.recognize(png);
    // The page handed over (its file written), then closed at once.
    while (readdirSync(folder).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const closing = cli.close();
    expect((await reading).text).toBe(String(png.length));
    await closing;
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe.runIf(TesseractCli.available())("Debian's tesseract reading page after page", () => {
  it('reads each page as a process of its own for that page reads it', async () => {
    const lines = ['CASE NUMBER CM16-0213037', 'The requested treatment is not medically necessary'];
    const pages = await Promise.all(
      lines.map((line) =>
        sharp({ create: { width: 1700, height: 400, channels: 3, background: '#ffffff' } })
          .composite([
            {
              input: Buffer.from(
                `<svg width="1700" height="400"><text x="100" y="200" font-family="DejaVu Sans" font-size="40" fill="#000">${line}</text></svg>`,
              ),
              top: 0,
              left: 0,
            },
          ])
          .png()
          .toBuffer(),
      ),
    );
    const cli = new TesseractCli();
    const streamed = [];
    for (const png of pages) streamed.push(await cli.recognize(png));
    await cli.close();
    const alone = pages.map((png) =>
      readTesseractHocr(
        spawnSync('tesseract', ['stdin', 'stdout', '-l', 'eng', '--psm', '6', '-c', 'tessedit_do_invert=0', '-c', 'hocr_char_boxes=1', 'hocr'], {
          input: png,
          env: { ...process.env, OMP_THREAD_LIMIT: '1' },
        }).stdout.toString('utf8'),
      ),
    );
    expect(streamed.map((read) => read.text)).toEqual(alone.map((read) => read.text));
    expect(streamed.map((read) => read.confidence)).toEqual(alone.map((read) => read.confidence));
    expect(streamed[0]!.text).toContain('CM16-0213037');
    expect(streamed[1]!.text).toContain('medically necessary');
  }, 30_000);

  it('reads a black-and-white page from its Group 4 TIFF as from its grey PNG, word for word and box for box', async () => {
    const { faxTiffOf, isBilevel, rasterOf } = await import('../../../functions/reader/raster.ts');
    const drawn = await sharp({ create: { width: 1700, height: 500, channels: 3, background: '#ffffff' } })
      .composite([
        {
          input: Buffer.from(
            '<svg width="1700" height="500"><text x="100" y="200" font-family="DejaVu Sans" font-size="40" fill="#000">Date of Injury: 10/15/2016</text>' +
              '<text x="100" y="300" font-family="DejaVu Sans" font-size="40" fill="#000">The requested treatment is upheld</text></svg>',
          ),
          top: 0,
          left: 0,
        },
      ])
      .png()
      .toBuffer();
    // Black and white, as a fax is (sharp composites last: the threshold is a second step).
    const png = await sharp(drawn).threshold(128).toColourspace('b-w').png().toBuffer();
    const page = await rasterOf(png);
    expect(isBilevel(page)).toBe(true);
    const cli = new TesseractCli();
    const fromPng = await cli.recognize(png);
    const fromTiff = await cli.recognize(await faxTiffOf(page));
    await cli.close();
    expect(fromTiff).toEqual(fromPng);
    expect(fromTiff.text).toContain('10/15/2016');
  }, 30_000);
});
