/**
 * A made-up fax page, put through the page clean-up once by a reading process started ahead of
 * any scan (the OCR lane started with the service; see `DocumentReader.practise`): V8 compiles a
 * loop well only after it has run hot, and a fresh process cleaned its first page for two to three
 * times the CPU of its later ones (370 against 150 ms, decode to encoded page). Practised at
 * start, that time is not spent while a backlog waits.
 */
import type { PageRaster } from './raster.ts';

/** A fine fax's page: 1728 pixels wide at 204 dpi, letter height. */
const WIDTH = 1728;
const HEIGHT = 2156;

/**
 * A black-and-white page shaped like a letter: a ruled header, then lines of "words" (bars the
 * height of lower-case letters, some with an ascender), a line every 40 pixels. The same page
 * every time (a fixed pseudo-random sequence).
 */
export function practicePage(): PageRaster {
  const data = new Uint8Array(WIDTH * HEIGHT).fill(255);
  const bar = (left: number, top: number, width: number, height: number) => {
    for (let y = top; y < top + height; y++) data.fill(0, y * WIDTH + left, y * WIDTH + left + width);
  };
  // A header's ruling, long enough to be taken for one and removed.
  bar(150, 140, WIDTH - 300, 3);
  let seed = 7;
  const next = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % below;
  };
  for (let top = 200; top < HEIGHT - 200; top += 40) {
    for (let left = 150; left < WIDTH - 300;) {
      const width = 20 + next(100);
      bar(left, top + 8, width, 16);
      // An ascender in some words: what tells up from down.
      if (next(3) === 0) bar(left + 2, top, 3, 8);
      left += width + 12;
    }
  }
  return { data, width: WIDTH, height: HEIGHT };
}
