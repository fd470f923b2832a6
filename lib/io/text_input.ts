/**
 * Reading text from a file or stdin in large decoded chunks, counting the
 * bytes for progress: the shared input of the file sources.
 *
 * @module
 */

import { sha256Hex } from "../units/sha256.ts";

/** Bytes asked of the file per read: large, so a chunk holds many records. */
const READ_SIZE = 256 * 1024;

/** An open text input: decoded chunks, with a byte count for progress. */
export interface TextInput {
  /**
   * The next decoded chunk (never empty), or `null` at the end. A leading
   * UTF-8 byte-order mark is dropped.
   */
  read(): Promise<string | null>;
  /** Bytes read so far. */
  readonly bytesRead: number;
  /** The file's size in bytes; `undefined` for stdin and non-files. */
  readonly size: number | undefined;
  /** Releases the file (stdin stays open). Safe to call twice. */
  close(): void;
}

/**
 * The text form of a path for messages: a `file:` URL becomes its path,
 * another URL its address, a string stays as written.
 */
export function locationOf(path: string | URL): string {
  if (typeof path === "string") return path;
  return path.protocol === "file:"
    ? decodeURIComponent(path.pathname)
    : path.href;
}

/** The short reason of a file-system error, for `Cannot read ...` messages. */
export function fsReason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "not found";
  if (error instanceof Deno.errors.PermissionDenied) {
    return "permission denied";
  }
  if (error instanceof Deno.errors.IsADirectory) return "is a directory";
  return error instanceof Error ? error.message : String(error);
}

/**
 * Rethrows a file-system error with a message naming the file, keeping its
 * class (`Deno.errors.NotFound` stays one) and the original as `cause`.
 */
export function fsError(
  error: unknown,
  what: string,
  location: string,
): Error {
  const message = `Cannot ${what} "${location}": ${fsReason(error)}`;
  const Class =
    Object.values(Deno.errors).find((errorClass) =>
      error instanceof Error && error.constructor === errorClass
    ) as ErrorConstructor | undefined ?? Error;
  return new Class(message, { cause: error });
}

interface Reader {
  read(buffer: Uint8Array): Promise<number | null>;
}

/**
 * Opens a file (or stdin, for `"-"`) for reading text. Checks `signal`
 * before every read.
 *
 * @param path The file, or `"-"` for stdin.
 * @param signal Aborts the reading: `read` then rejects with its reason.
 * @returns The open input.
 * @throws {Deno.errors.NotFound} `Cannot read input file "<path>": not found`,
 * and likewise for other file-system errors.
 */
export async function openTextInput(
  path: string | URL,
  signal?: AbortSignal,
): Promise<TextInput> {
  signal?.throwIfAborted();
  const location = locationOf(path);
  let file: Deno.FsFile | undefined;
  let reader: Reader = Deno.stdin;
  let size: number | undefined;
  if (path !== "-") {
    try {
      file = await Deno.open(path, { read: true });
      const info = await file.stat();
      if (info.isDirectory) throw new Deno.errors.IsADirectory(location);
      size = info.isFile ? info.size : undefined;
    } catch (error) {
      file?.close();
      throw fsError(error, "read input file", location);
    }
    reader = file;
  }
  const buffer = new Uint8Array(READ_SIZE);
  // The default `ignoreBOM: false` drops a leading byte-order mark.
  const decoder = new TextDecoder();
  let bytesRead = 0;
  let ended = false;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    file?.close();
  };
  return {
    async read(): Promise<string | null> {
      while (!ended) {
        signal?.throwIfAborted();
        if (closed) throw new TypeError(`Input "${location}" is closed`);
        let n: number | null;
        try {
          n = await reader.read(buffer);
        } catch (error) {
          throw fsError(error, "read input file", location);
        }
        if (n === null) {
          ended = true;
          const rest = decoder.decode();
          if (rest.length > 0) return rest;
          break;
        }
        bytesRead += n;
        const text = decoder.decode(buffer.subarray(0, n), { stream: true });
        if (text.length > 0) return text;
      }
      return null;
    },
    get bytesRead(): number {
      return bytesRead;
    },
    size,
    close,
  };
}

/** Bytes of the start of a file that its fingerprint hashes. */
const FINGERPRINT_HEAD = 64 * 1024;

/**
 * A fingerprint of an input file that changes when the file changes: its
 * size, modification time and a SHA-256 of its first 64 KiB. Stdin (`"-"`)
 * has none to give: `"stdin"`.
 *
 * @param path The file.
 * @returns A short string to compare.
 * @throws {Deno.errors.NotFound} `Cannot read input file "<path>": not found`.
 */
export async function fileFingerprint(path: string | URL): Promise<string> {
  if (path === "-") return "stdin";
  const location = locationOf(path);
  try {
    using file = await Deno.open(path, { read: true });
    const { size, mtime } = await file.stat();
    const head = new Uint8Array(Math.min(size, FINGERPRINT_HEAD));
    let filled = 0;
    while (filled < head.length) {
      const read = await file.read(head.subarray(filled));
      if (read === null) break;
      filled += read;
    }
    const hex = await sha256Hex(head.subarray(0, filled), 12);
    return `${size}:${mtime?.getTime() ?? 0}:${hex}`;
  } catch (error) {
    throw fsError(error, "read input file", location);
  }
}
