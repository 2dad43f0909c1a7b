// The handwritten-digits data set (examples/data/digits.csv.gz, UCI, CC BY 4.0): 1797 8x8 images,
// pixel counts 0..16, with their labels. Node-only (reads and gunzips the file).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface Digits {
  /** `count · 64` pixels in [0, 1], row-major per image. */
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

export const DIGITS_FILE = new URL('../../../examples/data/digits.csv.gz', import.meta.url);

export function loadDigits(file: URL = DIGITS_FILE): Digits {
  const rows = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n');
  const pixels = new Float32Array(rows.length * 64);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    const cells = row.split(',').map(Number);
    if (cells.length !== 65) throw new Error(`digits.csv.gz row ${i}: ${cells.length} columns, expected 65`);
    for (let j = 0; j < 64; j++) pixels[i * 64 + j] = (cells[j] as number) / 16;
    labels[i] = cells[64] as number;
  });
  return { pixels, labels, count: rows.length };
}

/** The first 1500 images train the model; the remaining 297 are the test set the demo explains. */
export const TRAIN_COUNT = 1500;
