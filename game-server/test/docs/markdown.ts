/**
 * Just enough of GitHub-flavoured Markdown to read the tables of our docs:
 * the first pipe table under a heading, as rows of trimmed cells keyed by the
 * header. (Tables only; `\|` is a literal pipe, as in GFM. Our docs need no
 * more, so a Markdown library would be a dependency for 30 lines.)
 */

export type Row = Record<string, string>;

/** Split one table line into its cells: outer pipes dropped, `\|` kept as a pipe, cells trimmed. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replaceAll("\\|", "|"));
}

const DELIMITER = /^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$/;

/**
 * The first table after the heading whose text is `heading` (any level), before
 * the next heading of the same or a higher level. Throws when there is none.
 */
export function tableUnder(markdown: string, heading: string): Row[] {
  const lines = markdown.split("\n");
  const at = lines.findIndex((l) => /^#{1,6} /.test(l) && l.replace(/^#+ /, "").trim() === heading);
  if (at < 0) throw new Error(`no heading "${heading}"`);
  const level = (lines[at].match(/^#+/) as RegExpMatchArray)[0].length;
  let fence = false;
  for (let i = at + 1; i < lines.length - 1; i++) {
    const line = lines[i];
    if (line.startsWith("```")) fence = !fence;
    if (fence) continue;
    const h = line.match(/^(#{1,6}) /);
    if (h && h[1].length <= level) break;
    if (line.trim().startsWith("|") && DELIMITER.test(lines[i + 1].trim())) {
      const header = cells(line);
      const rows: Row[] = [];
      for (let j = i + 2; j < lines.length && lines[j].trim().startsWith("|"); j++) {
        const c = cells(lines[j]);
        if (c.length !== header.length)
          throw new Error(`"${heading}": row ${j + 1} has ${c.length} cells, header ${header.length}`);
        rows.push(Object.fromEntries(header.map((name, k) => [name, c[k]])));
      }
      return rows;
    }
  }
  throw new Error(`no table under "${heading}"`);
}

/** The text of the first `code span` in a cell, or null when the cell does not start with one. */
export function leadingCode(cell: string): string | null {
  const m = cell.match(/^`([^`]+)`/);
  return m ? m[1] : null;
}
