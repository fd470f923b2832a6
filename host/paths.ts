/**
 * File paths and `file:` URLs: the workflow file is resolved against the
 * working folder (so the CLI works the same from a checkout, from JSR and
 * installed), and URLs in messages are shown as paths people can read.
 *
 * @module
 */

/**
 * The `file:` URL of `path`, resolved against the folder `cwd`.
 *
 * @param path A relative or absolute path, POSIX or Windows.
 * @param cwd The working folder, absolute.
 * @returns The file's URL.
 *
 * @example
 * ```ts
 * import { resolveFileUrl } from "./paths.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(resolveFileUrl("flows/../etl.ts", "/home/ada").href, "file:///home/ada/etl.ts");
 * assertEquals(resolveFileUrl("/srv/a b#1.ts", "/home/ada").href, "file:///srv/a%20b%231.ts");
 * ```
 */
export function resolveFileUrl(path: string, cwd: string): URL {
  return new URL(
    urlPath(path),
    new URL(`${urlPath(cwd).replace(/\/?$/, "/")}`, "file:///"),
  );
}

/** A path as a URL reference: forward slashes, `%`, `#` and `?` escaped. */
function urlPath(path: string): string {
  const slashed = path.replaceAll("\\", "/").replaceAll("%", "%25")
    .replaceAll("#", "%23").replaceAll("?", "%3F");
  // "C:/x" would parse as a URL with the scheme "c:".
  return /^[A-Za-z]:\//.test(slashed) ? `/${slashed}` : slashed;
}

/**
 * The path of a `file:` URL for messages: relative to `cwd` when inside it.
 *
 * @param url A `file:` URL.
 * @param cwd The working folder, absolute.
 * @returns Such as `"flows/etl.ts"` or `"/srv/etl.ts"`.
 *
 * @example
 * ```ts
 * import { displayPath } from "./paths.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(displayPath("file:///home/ada/flows/etl.ts", "/home/ada"), "flows/etl.ts");
 * assertEquals(displayPath("file:///srv/a%20b.ts", "/home/ada"), "/srv/a b.ts");
 * ```
 */
export function displayPath(url: string | URL, cwd: string): string {
  const href = new URL(url);
  let path = decodeURIComponent(href.pathname);
  if (/^\/[A-Za-z]:\//.test(path)) path = path.slice(1);
  const base = cwd.replaceAll("\\", "/").replace(/\/?$/, "/");
  return path.startsWith(base) ? path.slice(base.length) : path;
}

/**
 * Replaces every `file:` URL in `text` by its {@linkcode displayPath}.
 *
 * @param text Any text, such as a checker's diagnostic.
 * @param cwd The working folder, absolute.
 * @returns The text with paths instead of URLs.
 *
 * @example
 * ```ts
 * import { replaceFileUrls } from "./paths.ts";
 * import { assertEquals } from "@std/assert";
 *
 * assertEquals(replaceFileUrls("at file:///home/ada/etl.ts:2:7", "/home/ada"), "at etl.ts:2:7");
 * ```
 */
export function replaceFileUrls(text: string, cwd: string): string {
  return text.replace(
    /file:\/\/[^\s"'`)]+?(?=(:\d+)*(?:[\s"'`)]|$))/g,
    (url) => {
      try {
        return displayPath(url, cwd);
      } catch {
        return url;
      }
    },
  );
}
