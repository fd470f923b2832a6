/**
 * Looking at a SQLite checkpoint file before SQLite opens it: opening
 * recovers what it can from a damaged write-ahead log and, once closed,
 * folds it into the file and deletes the log, so the damage (and the
 * checkpoints it took along) would vanish without a word. A resume looks
 * first and refuses to go on from a store that lost its latest records.
 *
 * @module
 */

/** What is wrong with a checkpoint file and its write-ahead log. */
export interface StoreDamage {
  /** `"missing"`: the file is gone but its log is there; `"damaged"`: the log is not whole. */
  readonly kind: "missing" | "damaged";
  /** What was found, for messages. */
  readonly detail: string;
}

/** Bytes of a WAL file header and of a frame header (sqlite.org/fileformat.html). */
const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const WAL_MAGIC = 0x377f0682;
const WAL_VERSION = 3007000;

/**
 * Whether the checkpoint file at `path` lost records: its main file is
 * missing or empty while its write-ahead log holds some, or the log is
 * not a SQLite log, or it was cut (a length between frames) or overwritten
 * (a frame of the current log that fails its checksum, followed by more).
 * A log that ends inside its last frame because the process was killed
 * while committing is cut as well: the records before it are intact, and
 * a forced resume continues from them.
 *
 * @param path The SQLite file.
 * @returns The damage, or `undefined` for a store that is whole (or new).
 */
export async function inspectStoreFiles(
  path: string,
): Promise<StoreDamage | undefined> {
  const wal = await readIfAny(`${path}-wal`);
  if (wal === undefined || wal.length === 0) return undefined;
  const main = await sizeIfAny(path);
  if (main === undefined || main === 0) {
    return {
      kind: "missing",
      detail: `"${path}" is ${
        main === undefined ? "gone" : "empty"
      } but its write-ahead log "${path}-wal" holds ${wal.length} bytes`,
    };
  }
  const problem = walProblem(wal);
  return problem === undefined ? undefined : {
    kind: "damaged",
    detail: `its write-ahead log "${path}-wal" ${problem}`,
  };
}

/** What is wrong with a write-ahead log, or `undefined`. */
function walProblem(wal: Uint8Array): string | undefined {
  if (wal.length < WAL_HEADER) {
    return `is cut short (${wal.length} bytes, less than its header)`;
  }
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0);
  if ((magic & ~1) !== WAL_MAGIC || view.getUint32(4) !== WAL_VERSION) {
    return "is not a SQLite write-ahead log";
  }
  const bigEndian = (magic & 1) === 1;
  const pageSize = view.getUint32(8) || 65536;
  let [s0, s1] = checksum(view, 0, 24, bigEndian, 0, 0);
  if (s0 !== view.getUint32(24) || s1 !== view.getUint32(28)) {
    return "has a damaged header";
  }
  const frame = FRAME_HEADER + pageSize;
  if ((wal.length - WAL_HEADER) % frame !== 0) {
    return `is cut (${wal.length} bytes is not a whole number of ${frame}-byte frames)`;
  }
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);
  // Frames of the current log carry its salts, each checksum chained to
  // the one before; frames left over from before the log restarted carry
  // older salts and come after them. A current frame after a gap (a frame
  // that fails its checksum, or an older one) means bytes were overwritten.
  let gap = -1;
  for (let at = WAL_HEADER; at < wal.length; at += frame) {
    const current = view.getUint32(at + 8) === salt1 &&
      view.getUint32(at + 12) === salt2;
    if (gap !== -1) {
      if (current) {
        return `is damaged at byte ${gap}: a frame there fails its checksum and more follow`;
      }
      continue;
    }
    if (!current) {
      gap = at;
      continue;
    }
    [s0, s1] = checksum(view, at, 8, bigEndian, s0, s1);
    [s0, s1] = checksum(view, at + FRAME_HEADER, pageSize, bigEndian, s0, s1);
    if (s0 !== view.getUint32(at + 16) || s1 !== view.getUint32(at + 20)) {
      gap = at;
    }
  }
  return undefined;
}

/** SQLite's WAL checksum over `length` bytes (a multiple of 8) from `at`. */
function checksum(
  view: DataView,
  at: number,
  length: number,
  bigEndian: boolean,
  s0: number,
  s1: number,
): [number, number] {
  const littleEndian = !bigEndian;
  for (let i = at; i < at + length; i += 8) {
    s0 = (s0 + view.getUint32(i, littleEndian) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, littleEndian) + s0) >>> 0;
  }
  return [s0, s1];
}

async function readIfAny(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function sizeIfAny(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
