/**
 * Opening where a sink writes: a file (its folder created first) or
 * stdout for `"-"`.
 *
 * @module
 */

import { BufferedWriter } from "./buffered_writer.ts";
import { ResumeError } from "../durable/store.ts";
import { fsError, locationOf } from "./text_input.ts";

/** An open output: buffered text, and `close()` to flush and release it. */
export interface Output {
  /** The buffered text writer. */
  readonly writer: BufferedWriter;
  /** Flushes and releases the file (stdout stays open). Safe to call twice. */
  close(): Promise<void>;
  /**
   * Flushes, syncs the file's data to disk and resolves to its length: the
   * committed length a resumed run cuts the file back to.
   */
  sync(): Promise<number>;
}

/** How {@linkcode openOutput} opens an existing file. */
export interface OutputMode {
  /** Append to the file instead of replacing it. */
  append?: boolean;
  /**
   * Resume a durable run: keep the first `resumeAt` bytes, cut the rest
   * (written after the last checkpoint) and write after them.
   */
  resumeAt?: number | undefined;
}

/** The folder holding `path`, as a path or URL of the same form, or `undefined` for a bare name. */
export function parentOf(path: string | URL): string | URL | undefined {
  if (path instanceof URL) return new URL(".", path);
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (cut === -1) return undefined;
  return cut === 0 ? path.slice(0, 1) : path.slice(0, cut);
}

/** A sibling of `path` named `name` (in the same folder). */
export function siblingOf(path: string | URL, name: string): string | URL {
  if (path instanceof URL) return new URL(encodeURIComponent(name), path);
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut === -1 ? name : `${path.slice(0, cut + 1)}${name}`;
}

/** The last part of `path`. */
export function baseNameOf(path: string | URL): string {
  const text = locationOf(path);
  const cut = Math.max(text.lastIndexOf("/"), text.lastIndexOf("\\"));
  return text.slice(cut + 1);
}

/**
 * Opens a file for writing (truncating it, or appending), creating its
 * folder; `"-"` is stdout.
 *
 * @param path The file, or `"-"` for stdout.
 * @param append Append to the file instead of replacing it.
 * @returns The open output.
 * @throws {ResumeError} `resume_output_shorter` when resuming a file
 * shorter than its checkpoint committed.
 * @throws {Deno.errors.PermissionDenied} `Cannot write output file "<path>":
 * permission denied`, and likewise for other file-system errors.
 */
export async function openOutput(
  path: string | URL,
  mode: OutputMode = {},
): Promise<Output> {
  if (path === "-") {
    const writer = new BufferedWriter(Deno.stdout);
    return {
      writer,
      close: () => writer.flush(),
      sync: () => {
        const flushed = writer.flush();
        const bytes = writer.bytes;
        return flushed.then(() => bytes);
      },
    };
  }
  const location = locationOf(path);
  const { append = false, resumeAt } = mode;
  let file: Deno.FsFile;
  try {
    const parent = parentOf(path);
    if (parent !== undefined) await Deno.mkdir(parent, { recursive: true });
    file = await Deno.open(path, {
      write: true,
      create: true,
      truncate: !append && resumeAt === undefined,
      append,
    });
  } catch (error) {
    throw fsError(error, "write output file", location);
  }
  let offset = 0;
  if (resumeAt !== undefined) {
    const { size } = await file.stat();
    if (size < resumeAt) {
      file.close();
      throw new ResumeError(
        "resume_output_shorter",
        `Cannot resume output file "${location}": it has ${size} bytes, fewer than the ${resumeAt} its checkpoint committed (was it replaced?)`,
      );
    }
    // What was written after the last checkpoint is written again.
    await file.truncate(resumeAt);
    await file.seek(resumeAt, Deno.SeekMode.Start);
    offset = resumeAt;
  } else if (append) {
    offset = (await file.stat()).size;
  }
  const writer = new BufferedWriter(file, undefined, offset);
  let closing: Promise<void> | undefined;
  return {
    writer,
    async sync(): Promise<number> {
      // The length now, before any await: writes made while this syncs
      // belong to the next checkpoint.
      const flushed = writer.flush();
      const bytes = writer.bytes;
      try {
        await flushed;
        await file.syncData();
      } catch (error) {
        throw fsError(error, "write output file", location);
      }
      return bytes;
    },
    close(): Promise<void> {
      closing ??= writer.flush().catch((error) => {
        throw fsError(error, "write output file", location);
      }).finally(() => file.close());
      return closing;
    },
  };
}
