/**
 * Collecting small writes of text into large chunks before they reach a
 * file or stdout, so a sink costs one write per chunk, not per item.
 *
 * @module
 */

/** Characters collected before a chunk is written. */
const CHUNK_CHARS = 256 * 1024;

/** Where a {@linkcode BufferedWriter} writes: a file, stdout. */
export interface ByteWriter {
  /** Writes some of `bytes`, resolving to how many were written. */
  write(bytes: Uint8Array): Promise<number>;
}

const encoder = new TextEncoder();

/** Writes all of `bytes`, looping over partial writes. */
export async function writeAll(
  writer: ByteWriter,
  bytes: Uint8Array,
): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await writer.write(bytes.subarray(written));
  }
}

/**
 * Buffers text and writes it in chunks of about 256 Ki characters, in
 * order, with one chunk in flight while the next fills: `write` returns a
 * promise only when a chunk is full, and it resolves once the chunk before
 * is written, so a caller that awaits it is held back only while the disk
 * lags behind. A failed write rejects the next `write` or `flush`.
 */
export class BufferedWriter {
  readonly #target: ByteWriter;
  readonly #chunkChars: number;
  #parts: string[] = [];
  #length = 0;
  /** Settles when every chunk started so far is written. */
  #writing: Promise<void> = Promise.resolve();
  #bytes: number;

  /**
   * Creates a writer.
   *
   * @param target Where the chunks go.
   * @param chunkChars Characters collected before a chunk is written.
   * @param offset Bytes already in the target (a resumed file).
   */
  constructor(
    target: ByteWriter,
    chunkChars: number = CHUNK_CHARS,
    offset = 0,
  ) {
    this.#target = target;
    this.#chunkChars = chunkChars;
    this.#bytes = offset;
  }

  /**
   * Bytes in the target once the chunks started so far are written: after
   * `flush()` resolves, the target's length (counting the start offset).
   */
  get bytes(): number {
    return this.#bytes;
  }

  /** Adds text; starts writing a chunk when enough is collected. */
  write(text: string): void | Promise<void> {
    this.#parts.push(text);
    this.#length += text.length;
    if (this.#length >= this.#chunkChars) return this.#startChunk();
  }

  /** Writes what is collected; resolves when every chunk is written. */
  flush(): Promise<void> {
    if (this.#length > 0) this.#startChunk();
    return this.#writing;
  }

  /** Starts writing the collected text; returns the chunks before it. */
  #startChunk(): Promise<void> {
    const bytes = encoder.encode(this.#parts.join(""));
    this.#bytes += bytes.length;
    this.#parts = [];
    this.#length = 0;
    const before = this.#writing;
    this.#writing = before.then(() => writeAll(this.#target, bytes));
    // Marked handled: the failure is reported by the next write or flush.
    this.#writing.catch(() => {});
    return before;
  }
}
