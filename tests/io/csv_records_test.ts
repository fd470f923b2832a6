import { assertEquals } from "@std/assert";
import { parse } from "@std/csv";
import fc from "fast-check";
import {
  CsvRecordSplitter,
  endsInsideQuotes,
  parseFields,
} from "../../lib/io/csv_records.ts";
import {
  type LineEnd,
  LineSplitter,
  stripCr,
} from "../../lib/io/line_splitter.ts";

interface Split {
  records: { fields: string[]; line: number }[];
  invalid: { line: number; reason: string }[];
}

/** Feeds `text` to a splitter in pieces cut at `cuts`. */
function split(text: string, cuts: number[], separator = ","): Split {
  const result: Split = { records: [], invalid: [] };
  const splitter = new CsvRecordSplitter(separator, Infinity, {
    record: (fields, line) => result.records.push({ fields, line }),
    invalid: (line, reason) => result.invalid.push({ line, reason }),
  });
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    splitter.push(text.slice(at, cut));
    at = Math.max(at, cut);
  }
  splitter.push(text.slice(at));
  splitter.end();
  return result;
}

function quote(field: string, separator: string): string {
  return field === "" || /["\r\n]/.test(field) || field.includes(separator)
    ? `"${field.replaceAll('"', '""')}"`
    : field;
}

/**
 * What std `parse` reads as we read `text`: a lone CR ends a line as a
 * CRLF does (std keeps it as data), except inside a quoted field, where
 * both std and we keep it.
 */
function asStdReads(text: string): string {
  return text.replace(
    /"(?:[^"]|"")*"|\r(?!\n)/g,
    (m) => m === "\r" ? "\r\n" : m,
  );
}

const field = fc.string({
  unit: fc.constantFrom("a", "b", " ", ",", ";", '"', "\n", "\r\n", "é"),
  maxLength: 8,
});

Deno.test("CsvRecordSplitter agrees with std parse on valid CSV cut anywhere", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), {
        maxLength: 8,
      }),
      fc.constantFrom("\n", "\r\n", "\r"),
      fc.boolean(),
      fc.constantFrom(",", ";", "::"),
      fc.array(fc.nat(), { maxLength: 6 }),
      (rows, eol, finalEol, separator, rawCuts) => {
        const lines: string[] = [];
        const starts: number[] = [];
        let line = 1;
        for (const row of rows) {
          const text = row.map((f) => quote(f, separator)).join(separator);
          starts.push(line);
          line += text.split(/\r\n|\n/).length;
          lines.push(text);
        }
        const text = lines.join(eol) + (finalEol && rows.length ? eol : "");
        const cuts = rawCuts.map((n) => n % (text.length + 1));
        const got = split(text, cuts, separator);
        assertEquals(got.invalid, []);
        // The fields hold no lone CR: every one is a line end.
        assertEquals(
          got.records.map((r) => r.fields),
          parse(text.replace(/\r(?!\n)/g, "\r\n"), { separator }),
        );
        assertEquals(got.records.map((r) => r.line), starts);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("CsvRecordSplitter matches std parse whenever std accepts arbitrary text", () => {
  fc.assert(
    fc.property(
      fc.string({
        unit: fc.constantFrom("a", ",", '"', "\n", "\r", " "),
        maxLength: 30,
      }),
      fc.array(fc.nat(), { maxLength: 4 }),
      (text, rawCuts) => {
        const cuts = rawCuts.map((n) => n % (text.length + 1));
        const got = split(text, cuts);
        let expected: string[][];
        try {
          expected = parse(asStdReads(text));
        } catch {
          // Malformed somewhere: each record still stands alone.
          return got.records.length + got.invalid.length > 0;
        }
        assertEquals(got.invalid, []);
        assertEquals(got.records.map((r) => r.fields), expected);
      },
    ),
    { numRuns: 1000 },
  );
});

/** Whether every line end of `text` lies inside quotes, as in one record. */
function isOneRecord(text: string, separator: string): boolean {
  const lines = text.split("\n");
  let inside = false;
  for (const line of lines.slice(0, -1)) {
    inside = endsInsideQuotes(line, separator, inside);
    if (!inside) return false;
  }
  return true;
}

Deno.test("parseFields() unquotes a record as std parse does, and refuses what std refuses", () => {
  fc.assert(
    fc.property(
      fc.string({
        unit: fc.constantFrom("a", ",", ";", '"', "\n", "\r", "\r\n", " "),
        minLength: 1,
        maxLength: 20,
      }),
      fc.constantFrom(",", ";", ";;"),
      (text, separator) => {
        if (stripCr(text) === "" || !isOneRecord(text, separator)) return;
        // As the splitter calls it: the line end gone, then one `\r`.
        const fields = parseFields(stripCr(text), separator);
        let expected: string[][];
        try {
          expected = parse(`${text}\n`, { separator });
        } catch {
          assertEquals(fields, undefined);
          return;
        }
        assertEquals(expected.length, 1);
        if (fields !== undefined) assertEquals(fields, expected[0]);
      },
    ),
    { numRuns: 2000 },
  );
  assertEquals(parseFields('1,"a ""b""\r\nc",', ","), ["1", 'a "b"\nc', ""]);
  assertEquals(parseFields('"a"x', ","), undefined);
  assertEquals(parseFields('a"', ","), undefined);
  assertEquals(parseFields('"open', ","), undefined);
});

Deno.test("CsvRecordSplitter keeps a lone CR inside quotes, in valid CSV cut anywhere", () => {
  const quotedField = fc.string({
    unit: fc.constantFrom("a", ",", '"', "\r", "\n", "\r\n"),
    maxLength: 6,
  });
  fc.assert(
    fc.property(
      fc.array(fc.array(quotedField, { minLength: 1, maxLength: 3 }), {
        maxLength: 6,
      }),
      fc.constantFrom("\n", "\r\n", "\r"),
      fc.array(fc.nat(), { maxLength: 6 }),
      (rows, eol, rawCuts) => {
        const lines = rows.map((row) =>
          row.map((f) => `"${f.replaceAll('"', '""')}"`).join(",")
        );
        const text = lines.join(eol);
        const cuts = rawCuts.map((n) => n % (text.length + 1));
        const got = split(text, cuts);
        assertEquals(got.invalid, []);
        // std keeps a lone CR inside quotes and turns a CRLF there into LF.
        assertEquals(
          got.records.map((r) => r.fields),
          parse(lines.join("\r\n")),
        );
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("CsvRecordSplitter reads a lone CR as a line end (old Mac files)", () => {
  assertEquals(split("a,b\r1,2\r", []).records, [
    { fields: ["a", "b"], line: 1 },
    { fields: ["1", "2"], line: 2 },
  ]);
  // Cut between the CR and what follows, and mixed with LF and CRLF.
  assertEquals(split("a,b\r1,2\r\n3,4\n\r5,6", [4, 8, 9, 13]).records, [
    { fields: ["a", "b"], line: 1 },
    { fields: ["1", "2"], line: 2 },
    { fields: ["3", "4"], line: 3 },
    { fields: ["5", "6"], line: 5 },
  ]);
  // A CR inside quotes is data: the record stays whole, the CR intact.
  assertEquals(split('id,text\r1,"x\ry"\r2,"z\r\nw"\r', [11, 12]).records, [
    { fields: ["id", "text"], line: 1 },
    { fields: ["1", "x\ry"], line: 2 },
    { fields: ["2", "z\nw"], line: 4 },
  ]);
});

Deno.test("LineSplitter tells each line's end, wherever the chunks are cut", () => {
  const text = "a\nb\r\nc\rd\r\re\r\n\nf";
  for (let cut = 0; cut <= text.length; cut++) {
    const got: [string, number, LineEnd][] = [];
    const splitter = new LineSplitter();
    const onLine = (line: string, n: number, end: LineEnd) =>
      got.push([line, n, end]);
    splitter.push(text.slice(0, cut), onLine);
    splitter.push(text.slice(cut), onLine);
    splitter.end(onLine);
    assertEquals(got, [
      ["a", 1, "\n"],
      ["b\r", 2, "\r\n"],
      ["c\r", 3, "\r"],
      ["d\r", 4, "\r"],
      ["\r", 5, "\r"],
      ["e\r", 6, "\r\n"],
      ["", 7, "\n"],
      ["f", 8, ""],
    ], `cut at ${cut}`);
  }
});

Deno.test("CsvRecordSplitter isolates a malformed record between good ones", () => {
  const got = split('1,2\n3,"x"y\n"4\n5",6\n', [5, 9, 13]);
  assertEquals(got.records, [
    { fields: ["1", "2"], line: 1 },
    { fields: ["4\n5", "6"], line: 3 },
  ]);
  assertEquals(got.invalid, [{
    line: 2,
    reason:
      'Malformed CSV record: extraneous or missing " in quoted-field (line 2, column 5)',
  }]);
});

Deno.test("endsInsideQuotes() opens a quote only at the start of a field", () => {
  assertEquals(endsInsideQuotes('a,"b', ",", false), true);
  assertEquals(endsInsideQuotes('a,b"c', ",", false), false);
  assertEquals(endsInsideQuotes('a,"b""', ",", false), true);
  assertEquals(endsInsideQuotes('a,"b"""', ",", false), false);
  assertEquals(endsInsideQuotes('x",y,"z', ",", true), true);
  assertEquals(endsInsideQuotes("no quotes", ",", true), true);
  assertEquals(endsInsideQuotes('end"', ",", true), false);
  assertEquals(endsInsideQuotes('a::"b::c', "::", false), true);
});
