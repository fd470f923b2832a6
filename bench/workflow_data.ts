/**
 * Test data of the workflow benchmark: a CSV file of `rows` made-up
 * customers (`id,name,email,amount,country,created_at`), the same bytes for
 * the same row count, and a newline counter for the outputs.
 *
 * @module
 */

/** The header of the generated file. */
export const CSV_HEADER = "id,name,email,amount,country,created_at";

const FIRST = ["ada", "grace", "alan", "edsger", "barbara", "donald", "ken"];
const LAST = ["lovelace", "hopper", "turing", "dijkstra", "liskov", "knuth"];
const COUNTRIES = ["DE", "FR", "NL", "SE", "GB", "US", "CH"];
const ROWS_PER_WRITE = 20_000;

/**
 * Writes `rows` data rows and a header to `path`. Fields need no quotes,
 * so both parsers under test take the same path through each record.
 *
 * @param path The file to create or replace.
 * @param rows Data rows, without the header.
 * @returns The file's size in bytes.
 */
export async function writeCsv(path: string, rows: number): Promise<number> {
  const encoder = new TextEncoder();
  using file = await Deno.open(path, {
    write: true,
    create: true,
    truncate: true,
  });
  let size = 0;
  const write = async (text: string) => {
    const bytes = encoder.encode(text);
    size += bytes.length;
    for (let at = 0; at < bytes.length;) {
      at += await file.write(bytes.subarray(at));
    }
  };
  await write(`${CSV_HEADER}\n`);
  // A fixed LCG: every run of the benchmark reads the same file.
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  for (let start = 1; start <= rows; start += ROWS_PER_WRITE) {
    const end = Math.min(rows, start + ROWS_PER_WRITE - 1);
    let text = "";
    for (let id = start; id <= end; id++) {
      const r = next();
      const first = FIRST[r % FIRST.length]!;
      const last = LAST[(r >>> 8) % LAST.length]!;
      const amount = ((r >>> 4) % 1_000_000) / 100;
      const country = COUNTRIES[(r >>> 12) % COUNTRIES.length]!;
      const day = 1 + (r >>> 16) % 28;
      text += `${id},${first} ${last},${first}.${last}${id}@example.com,` +
        `${amount.toFixed(2)},${country},2024-05-${
          String(day).padStart(2, "0")
        }T12:00:00Z\n`;
    }
    await write(text);
  }
  return size;
}

/**
 * Counts the line ends in a file, reading it in chunks.
 *
 * @param path The file.
 * @returns The number of `\n` bytes.
 */
export async function countLines(path: string): Promise<number> {
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(1 << 20);
  let lines = 0;
  for (
    let n = await file.read(buffer);
    n !== null;
    n = await file.read(buffer)
  ) {
    for (let i = 0; i < n; i++) if (buffer[i] === 10) lines++;
  }
  return lines;
}
