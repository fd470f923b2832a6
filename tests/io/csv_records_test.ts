import { assertEquals } from "@std/assert";
import { parse } from "@std/csv";
import fc from "fast-check";
import {
  CsvRecordSplitter,
  endsInsideQuotes,
  parseFields,
} from "../../lib/io/csv_records.ts";
import { stripCr } from "../../lib/io/line_splitter.ts";

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
      fc.constantFrom("\n", "\r\n"),
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
          line += text.split(eol === "\n" ? /\n/ : /\r\n|\n/).length;
          lines.push(text);
        }
        const text = lines.join(eol) + (finalEol && rows.length ? eol : "");
        const cuts = rawCuts.map((n) => n % (text.length + 1));
        const got = split(text, cuts, separator);
        assertEquals(got.invalid, []);
        assertEquals(
          got.records.map((r) => r.fields),
          parse(text, { separator }),
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
          expected = parse(text);
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
