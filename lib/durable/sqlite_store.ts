/**
 * The default checkpoint store: a local SQLite file through `node:sqlite`,
 * which needs no unstable flag.
 *
 * @module
 */

import { parentOf } from "../io/output_file.ts";
import {
  type CheckpointRecord,
  type CheckpointStore,
  CheckpointStoreError,
} from "./store.ts";

/** The part of `node:sqlite`'s `StatementSync` the store uses. */
interface Statement {
  run(...values: (string | number)[]): unknown;
  get(...values: (string | number)[]): unknown;
  all(...values: (string | number)[]): unknown[];
}

/** The part of `node:sqlite`'s `DatabaseSync` the store uses. */
interface Database {
  readonly isOpen: boolean;
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}

interface SqliteModule {
  DatabaseSync: new (path: string, options: { timeout: number }) => Database;
}

interface NodeProcess {
  getBuiltinModule?(id: string): unknown;
}

/**
 * `node:sqlite`, fetched when a store opens rather than imported: the
 * package's static module graph then holds no `node:` module, so a user of
 * the engine alone (a browser bundle, another runtime) never loads it.
 */
function loadSqlite(): SqliteModule {
  const process = (globalThis as { process?: NodeProcess }).process;
  const sqlite = process?.getBuiltinModule?.("node:sqlite") as
    | SqliteModule
    | undefined;
  if (sqlite === undefined) {
    throw new Error(
      "This runtime has no node:sqlite: run durable workflows on Deno or Node.js, or pass another checkpoint store",
    );
  }
  return sqlite;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoints (
  run_id TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  record TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS checkpoints_scope ON checkpoints (scope, updated_at);
CREATE TABLE IF NOT EXISTS done_keys (
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
`;

/**
 * Checkpoints in a SQLite file (created with its folder). Each save is one
 * transaction, so a crash leaves the previous record or the new one. The
 * database runs in WAL mode with full sync, so a saved checkpoint survives
 * a power cut, not only a crash.
 *
 * @example Save and find
 * ```ts
 * import { SqliteCheckpointStore } from "@poolflow/poolflow";
 * import { assertEquals } from "@std/assert";
 *
 * const dir = await Deno.makeTempDir();
 * const store = new SqliteCheckpointStore(`${dir}/checkpoints.db`);
 * try {
 *   await store.save({
 *     runId: "r1", scope: "s", workflow: "w", workflowFingerprint: "a", inputFingerprint: "b",
 *     watermark: 7, sinks: { sink: { bytes: 120 } }, counts: { written: 7, failed: 0 },
 *     status: "running", updatedAt: Date.now(),
 *   });
 *   assertEquals((await store.latest("s"))?.sinks, { sink: { bytes: 120 } });
 * } finally {
 *   store.close();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class SqliteCheckpointStore implements CheckpointStore {
  readonly #db: Database;
  readonly #save: Statement;
  readonly #latest: Statement;
  readonly #addKey: Statement;
  readonly #keys: Statement;

  /**
   * Opens (or creates) the store.
   *
   * @param path The SQLite file; its folder is created.
   * @throws {CheckpointStoreError} `Cannot open checkpoint store "<path>":
   * ...` when the file cannot be opened or is not a SQLite database.
   */
  constructor(path: string) {
    const folder = parentOf(path);
    try {
      if (folder !== undefined) Deno.mkdirSync(folder, { recursive: true });
      // Runs in other processes may hold the file for a moment: wait.
      this.#db = new (loadSqlite().DatabaseSync)(path, { timeout: 5_000 });
      this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
      this.#db.exec(SCHEMA);
    } catch (error) {
      throw new CheckpointStoreError(
        `Cannot open checkpoint store "${path}": ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.#save = this.#db.prepare(
      "INSERT OR REPLACE INTO checkpoints (run_id, scope, record, updated_at) VALUES (?, ?, ?, ?)",
    );
    this.#addKey = this.#db.prepare(
      "INSERT OR IGNORE INTO done_keys (run_id, key) VALUES (?, ?)",
    );
    this.#keys = this.#db.prepare("SELECT key FROM done_keys WHERE run_id = ?");
    this.#latest = this.#db.prepare(
      "SELECT record FROM checkpoints WHERE scope = ? ORDER BY updated_at DESC, rowid DESC LIMIT 1",
    );
  }

  /** The latest record of `scope`, or `undefined`. */
  latest(scope: string): Promise<CheckpointRecord | undefined> {
    const row = this.#latest.get(scope) as { record: string } | undefined;
    return Promise.resolve(
      row ? JSON.parse(row.record) as CheckpointRecord : undefined,
    );
  }

  /**
   * Saves (replaces) the record of its run and adds its done keys, in one
   * transaction.
   */
  save(
    record: CheckpointRecord,
    doneKeys: readonly string[] = [],
  ): Promise<void> {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      this.#save.run(
        record.runId,
        record.scope,
        JSON.stringify(record),
        record.updatedAt,
      );
      for (const key of doneKeys) this.#addKey.run(record.runId, key);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
    return Promise.resolve();
  }

  /** Every item key recorded as done for a run. */
  doneKeys(runId: string): Promise<ReadonlySet<string>> {
    const rows = this.#keys.all(runId) as { key: string }[];
    return Promise.resolve(new Set(rows.map((row) => row.key)));
  }

  /** Closes the database. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
