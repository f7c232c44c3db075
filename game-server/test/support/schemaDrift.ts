/**
 * Compares a live PostgreSQL database with what schema.prisma declares, without
 * Prisma's schema engine (which cannot be downloaded on our build machines).
 *
 * schema.prisma is read by Prisma's own parser: the prisma-schema WebAssembly
 * module that the installed `prisma` CLI ships (node_modules/prisma/build/
 * prisma_schema_build_bg.wasm, the build of @prisma/prisma-schema-wasm that
 * matches the CLI's engines commit), through its `get_dmmf` function. The CLI
 * bundles that module's wasm-bindgen glue instead of exporting it, so a minimal
 * loader is below. From the DMMF we derive the tables, columns, keys, indexes
 * and foreign keys that `prisma migrate` would create on PostgreSQL, with
 * Prisma's default types, constraint names and referential actions, and compare
 * them with pg_catalog.
 *
 * Covered: tables (schema public, `_prisma_migrations` aside), columns (type
 * with length/precision, nullability, default), primary keys, unique and other
 * indexes (columns in order, sort order, method, operator class, predicate),
 * foreign keys (columns, referenced table/columns, ON DELETE/ON UPDATE), enums,
 * and implicit many-to-many join tables. Names of constraints and indexes are
 * compared too. A partitioned table is compared as its parent; its partitions
 * (and their copies of its indexes and foreign keys) are left out. Not covered: views and materialized views
 * with their indexes (Prisma declares none without a preview feature; the leaderboard's view "LeaderboardEntry"
 * has its own test, test/integration/leaderboard.test.ts), check constraints, sequences' options,
 * multi-schema models (rejected), `Unsupported(...)` fields.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import pg from "pg";

// ---------------------------------------------------------------------------
// Prisma's schema parser (WebAssembly)

// The WebAssembly API as far as we use it (the project's TypeScript libs do not declare it).
interface WasmTable {
  get(index: number): unknown;
  set(index: number, value: unknown): void;
  grow(delta: number): number;
}
interface WasmApi {
  Module: (new (bytes: Uint8Array) => object) & { imports(module: object): { module: string; name: string }[] };
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: object };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface WasmExports {
  memory: { buffer: ArrayBuffer };
  __wbindgen_externrefs: WasmTable;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  __externref_table_dealloc(idx: number): void;
  __wbindgen_start(): void;
  get_dmmf(ptr: number, len: number): [number, number, number, number];
}

let parser: { getDmmf(input: string): string } | undefined;

/** Where the installed Prisma CLI keeps its build of @prisma/prisma-schema-wasm. */
export function prismaSchemaWasmPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("prisma/package.json")), "build", "prisma_schema_build_bg.wasm");
}

function loadParser(): { getDmmf(input: string): string } {
  if (parser) return parser;
  const module = new WebAssembly.Module(readFileSync(prismaSchemaWasmPath()));
  let ex: WasmExports | undefined;
  let bytes: Uint8Array | undefined;
  let panicMessage = "";
  const memory = (): Uint8Array => {
    // A view goes stale (length 0) when the wasm memory grows.
    if (!bytes || bytes.byteLength === 0) bytes = new Uint8Array(ex!.memory.buffer);
    return bytes;
  };
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });
  const readString = (ptr: number, len: number): string => decoder.decode(memory().subarray(ptr >>> 0, (ptr >>> 0) + len));
  const imports: Record<string, Record<string, (...args: number[]) => unknown>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    let fn: (...args: number[]) => unknown;
    if (imp.name.startsWith("__wbg_Error_")) fn = (p, l) => new Error(readString(p, l));
    else if (imp.name.startsWith("__wbg___wbindgen_throw_"))
      fn = (p, l) => {
        throw new Error(readString(p, l));
      };
    else if (imp.name.startsWith("__wbg_set_message_"))
      fn = (p, l) => {
        panicMessage = readString(p, l);
      };
    else if (imp.name === "__wbindgen_init_externref_table")
      fn = () => {
        const table = ex!.__wbindgen_externrefs;
        const offset = table.grow(4);
        table.set(0, undefined);
        table.set(offset + 0, undefined);
        table.set(offset + 1, null);
        table.set(offset + 2, true);
        table.set(offset + 3, false);
      };
    else
      throw new Error(
        `prisma-schema wasm at ${prismaSchemaWasmPath()} needs an unknown import ${imp.module}.${imp.name}; update the loader in schemaDrift.ts`,
      );
    imports[imp.module] = { ...imports[imp.module], [imp.name]: fn };
  }
  ex = new WebAssembly.Instance(module, imports).exports as WasmExports;
  ex.__wbindgen_start();
  const wasm = ex;
  parser = {
    getDmmf(input: string): string {
      const encoded = new TextEncoder().encode(input);
      const ptr = wasm.__wbindgen_malloc(encoded.length, 1) >>> 0;
      memory()
        .subarray(ptr, ptr + encoded.length)
        .set(encoded);
      let result: [number, number, number, number];
      try {
        result = wasm.get_dmmf(ptr, encoded.length);
      } catch (err) {
        parser = undefined; // an instance that trapped is not reused
        throw new Error(`prisma-schema wasm panicked: ${panicMessage || (err as Error).message}`);
      }
      const [outPtr, outLen, errIdx, isErr] = result;
      if (isErr) {
        const error = wasm.__wbindgen_externrefs.get(errIdx) as Error;
        wasm.__externref_table_dealloc(errIdx);
        throw error;
      }
      try {
        return readString(outPtr, outLen);
      } finally {
        wasm.__wbindgen_free(outPtr, outLen, 1);
      }
    },
  };
  return parser;
}

// The parts of Prisma's DMMF (datamodel) that we use.
interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  isList: boolean;
  isRequired: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  default?: unknown;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  schema?: string | null;
  fields: DmmfField[];
}
interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: { name: string; dbName: string | null }[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  dbName?: string | null;
  algorithm?: string;
  fields: { name: string; sortOrder?: "asc" | "desc"; operatorClass?: unknown }[];
}
interface Datamodel {
  models: DmmfModel[];
  enums: DmmfEnum[];
  indexes: DmmfIndex[];
}

/** Read a schema file, or every .prisma file under a schema folder (multi-file schemas). */
function readSchemaFiles(schemaPath: string): [string, string][] {
  if (!statSync(schemaPath).isDirectory()) return [[schemaPath, readFileSync(schemaPath, "utf8")]];
  const files: [string, string][] = [];
  for (const entry of readdirSync(schemaPath, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".prisma")) {
      const path = join(entry.parentPath, entry.name);
      files.push([path, readFileSync(path, "utf8")]);
    }
  }
  return files.sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Parse schema.prisma with Prisma's own parser and return its DMMF datamodel. */
export function parsePrismaSchema(schemaPath: string): { datamodel: Datamodel; files: [string, string][] } {
  const files = readSchemaFiles(schemaPath);
  let out: string;
  try {
    out = loadParser().getDmmf(JSON.stringify({ prismaSchema: files, noColor: true }));
  } catch (err) {
    let message = (err as Error).message;
    try {
      message = (JSON.parse(message) as { message: string }).message;
    } catch {}
    throw new Error(`schema.prisma does not validate: ${message}`);
  }
  return { datamodel: (JSON.parse(out) as { datamodel: Datamodel }).datamodel, files };
}

// ---------------------------------------------------------------------------
// One description for both sides

interface Column {
  type: string;
  /** null: not compared (Prisma ignores the nullability of list columns). */
  nullable: boolean | null;
  /** Normalised default expression; null for none; ANY_DEFAULT for `dbgenerated()`. */
  default: string | null;
}
interface IndexColumn {
  name: string;
  desc: boolean;
  /** Live side: the operator class and whether it is the type's default. */
  opclass: string | null;
  opclassIsDefault: boolean;
  /** Live side: non-default NULLS ordering, else null. */
  nulls: string | null;
}
interface Index {
  table: string;
  kind: "primary key" | "unique index" | "index";
  columns: IndexColumn[];
  include: string[];
  method: string;
  predicate: string | null;
}
interface ForeignKey {
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}
interface Schema {
  tables: Map<string, Map<string, Column>>;
  /** By name (index names are unique within a schema). */
  indexes: Map<string, Index>;
  /** By `table.name`. */
  foreignKeys: Map<string, ForeignKey>;
  enums: Map<string, string[]>;
}

const ANY_DEFAULT = "dbgenerated()";
const MAX_IDENTIFIER = 63;

// ---------------------------------------------------------------------------
// What schema.prisma declares

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "timestamp(3)",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  Json: "jsonb",
  Bytes: "bytea",
};

function nativeType(name: string, args: string[]): string {
  const a = args.map((s) => s.trim());
  const precision = a[0] ?? "6";
  switch (name) {
    case "Text":
    case "Uuid":
    case "Xml":
    case "Inet":
    case "Citext":
    case "Boolean":
    case "Integer":
    case "SmallInt":
    case "BigInt":
    case "Oid":
    case "Real":
    case "Money":
    case "Date":
    case "Json":
      return name.toLowerCase();
    case "DoublePrecision":
      return "double precision";
    case "JsonB":
      return "jsonb";
    case "ByteA":
      return "bytea";
    case "VarChar":
      return a.length ? `varchar(${a[0]})` : "varchar";
    case "Char":
      return `char(${a[0] ?? "1"})`;
    case "Bit":
      return `bit(${a[0] ?? "1"})`;
    case "VarBit":
      return a.length ? `varbit(${a[0]})` : "varbit";
    case "Decimal":
      return a.length ? `numeric(${a.join(",")})` : "numeric";
    case "Timestamp":
      return `timestamp(${precision})`;
    case "Timestamptz":
      return `timestamptz(${precision})`;
    case "Time":
      return `time(${precision})`;
    case "Timetz":
      return `timetz(${precision})`;
    default:
      throw new Error(`schemaDrift: native type @db.${name} is not supported yet`);
  }
}

/** Prisma's default names: `<table>_<columns>_<suffix>`, cut to fit PostgreSQL's 63 bytes. */
function defaultName(table: string, columns: string[], suffix: string): string {
  let base = columns.length ? `${table}_${columns.join("_")}` : table;
  const room = MAX_IDENTIFIER - suffix.length - 1;
  if (Buffer.byteLength(base) > room) {
    const buf = Buffer.from(base);
    base = buf
      .subarray(0, room)
      .toString("utf8")
      .replace(/\uFFFD+$/, "");
  }
  return `${base}_${suffix}`;
}

/** The block of `model <name> { ... }` in the schema files, comments and strings respected. */
function modelBlock(files: [string, string][], model: string): string | null {
  const start = new RegExp(`(^|\\n)\\s*model\\s+${model}\\s*\\{`);
  for (const [, text] of files) {
    const m = start.exec(text);
    if (!m) continue;
    let depth = 1;
    let i = m.index + m[0].length;
    const from = i;
    while (i < text.length && depth > 0) {
      const c = text[i];
      if (c === '"') {
        for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      } else if (c === "/" && text[i + 1] === "/") {
        while (i < text.length && text[i] !== "\n") i++;
      } else if (c === "{") depth++;
      else if (c === "}") depth--;
      i++;
    }
    return text.slice(from, i - 1);
  }
  return null;
}

/**
 * The DMMF leaves out `@relation(map: "...")`, the foreign key's name; find it
 * in the field's line of the model block.
 */
function relationMap(files: [string, string][], model: string, field: string): string | null {
  const block = modelBlock(files, model);
  if (!block) return null;
  const line = new RegExp(`^\\s*${field}\\s+[^\\n]*`, "m").exec(block)?.[0];
  if (!line) return null;
  const at = line.indexOf("@relation(");
  if (at < 0) return null;
  // Arguments up to the matching parenthesis, strings respected.
  let depth = 0;
  let args = "";
  for (let i = at + "@relation".length; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) if (line[j] === "\\") j++;
      args += line.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === "(") depth++;
    if (c === ")" && --depth === 0) break;
    args += c;
  }
  return /(?:^|[(,\s])map\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(args)?.[1] ?? null;
}

/** A value from `@default(...)` as the database would show it, normalised like `normaliseDefault`. */
function expectedDefault(field: DmmfField, enums: Map<string, DmmfEnum>): string | null {
  const d = field.default;
  if (d === undefined || d === null) return null;
  const literal = (v: unknown): string => {
    if (typeof v === "string" && field.kind === "enum") {
      const value = enums.get(field.type)?.values.find((e) => e.name === v);
      return value?.dbName ?? v;
    }
    return String(v);
  };
  if (Array.isArray(d)) return `{${d.map(literal).join(",")}}`;
  if (typeof d === "object") {
    const { name, args } = d as { name: string; args: unknown[] };
    switch (name) {
      case "now":
        return "now()";
      case "autoincrement":
      case "sequence":
        return "autoincrement()";
      case "dbgenerated":
        return args.length ? normaliseDefault(String(args[0])) : ANY_DEFAULT;
      default:
        // uuid(), cuid(), nanoid(), ulid(): generated by the client, no default in the database.
        return null;
    }
  }
  return literal(d);
}

function expectedSchema(datamodel: Datamodel, files: [string, string][]): Schema {
  const enums = new Map(datamodel.enums.map((e) => [e.name, e]));
  const models = new Map(datamodel.models.map((m) => [m.name, m]));
  const tableOf = (model: string): string => models.get(model)!.dbName ?? model;
  const columnOf = (model: string, field: string): string => {
    const f = models.get(model)!.fields.find((x) => x.name === field);
    if (!f) throw new Error(`schemaDrift: no field ${model}.${field}`);
    return f.dbName ?? f.name;
  };
  const columnType = (f: DmmfField): string => {
    let type: string;
    if (f.kind === "enum") {
      const e = enums.get(f.type)!;
      type = e.dbName ?? e.name;
    } else if (f.nativeType) type = nativeType(f.nativeType[0], f.nativeType[1]);
    else if (SCALAR_TYPES[f.type]) type = SCALAR_TYPES[f.type];
    else throw new Error(`schemaDrift: unsupported type ${f.type} of field ${f.name}`);
    return f.isList ? `${type}[]` : type;
  };

  const schema: Schema = { tables: new Map(), indexes: new Map(), foreignKeys: new Map(), enums: new Map() };
  for (const e of datamodel.enums)
    schema.enums.set(
      e.dbName ?? e.name,
      e.values.map((v) => v.dbName ?? v.name),
    );

  for (const model of datamodel.models) {
    if (model.schema && model.schema !== "public")
      throw new Error(`schemaDrift: model ${model.name} is in schema ${model.schema}; only public is compared`);
    const table = tableOf(model.name);
    const columns = new Map<string, Column>();
    for (const f of model.fields) {
      if (f.kind !== "scalar" && f.kind !== "enum") continue;
      columns.set(f.dbName ?? f.name, {
        type: columnType(f),
        nullable: f.isList ? null : !f.isRequired,
        default: expectedDefault(f, enums),
      });
    }
    schema.tables.set(table, columns);

    for (const f of model.fields) {
      if (f.kind !== "object" || !f.relationFromFields?.length) continue;
      const cols = f.relationFromFields.map((x) => columnOf(model.name, x));
      const name = relationMap(files, model.name, f.name) ?? defaultName(table, cols, "fkey");
      schema.foreignKeys.set(`${table}.${name}`, {
        table,
        columns: cols,
        refTable: tableOf(f.type),
        refColumns: (f.relationToFields ?? []).map((x) => columnOf(f.type, x)),
        onDelete: (f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull")).toUpperCase(),
        onUpdate: (f.relationOnUpdate ?? "Cascade").toUpperCase(),
      });
    }
  }

  for (const idx of datamodel.indexes) {
    if (idx.type === "fulltext") throw new Error("schemaDrift: fulltext indexes do not exist on PostgreSQL");
    const table = tableOf(idx.model);
    const cols = idx.fields.map((x) => columnOf(idx.model, x.name));
    const kind = idx.type === "id" ? "primary key" : idx.type === "unique" ? "unique index" : "index";
    const suffix = idx.type === "id" ? "pkey" : idx.type === "unique" ? "key" : "idx";
    const name = idx.dbName ?? defaultName(table, idx.type === "id" ? [] : cols, suffix);
    schema.indexes.set(name, {
      table,
      kind,
      columns: idx.fields.map((x, i) => ({
        name: cols[i],
        desc: x.sortOrder === "desc",
        opclass: operatorClass(x.operatorClass),
        opclassIsDefault: x.operatorClass === undefined,
        nulls: null,
      })),
      include: [],
      method: (idx.algorithm ?? "BTree").toLowerCase(),
      predicate: null,
    });
  }

  // Implicit many-to-many relations: a join table `_<relation>` with columns A and B.
  const seen = new Set<string>();
  for (const model of datamodel.models) {
    for (const f of model.fields) {
      if (f.kind !== "object" || !f.isList || !f.relationName || seen.has(f.relationName)) continue;
      const other = models
        .get(f.type)!
        .fields.find((g) => g.kind === "object" && g.relationName === f.relationName && g.type === model.name && g !== f);
      if (!other?.isList) continue;
      seen.add(f.relationName);
      const [a, b] = [model.name, f.type].sort();
      const idOf = (m: string): DmmfField => {
        const ids = models
          .get(m)!
          .fields.filter(
            (x) =>
              x.kind === "scalar" &&
              datamodel.indexes.some(
                (i) => i.model === m && i.type === "id" && i.fields.length === 1 && i.fields[0].name === x.name,
              ),
          );
        if (ids.length !== 1) throw new Error(`schemaDrift: model ${m} needs a single-field id for relation ${f.relationName}`);
        return ids[0];
      };
      const table = `_${f.relationName}`;
      const ends = [
        ["A", a],
        ["B", b],
      ] as const;
      schema.tables.set(
        table,
        new Map(
          ends.map(([col, m]) => [col, { type: columnType({ ...idOf(m), isList: false }), nullable: false, default: null }]),
        ),
      );
      const col = (name: string): IndexColumn => ({ name, desc: false, opclass: null, opclassIsDefault: true, nulls: null });
      schema.indexes.set(defaultName(table, ["AB"], "pkey"), {
        table,
        kind: "primary key",
        columns: [col("A"), col("B")],
        include: [],
        method: "btree",
        predicate: null,
      });
      schema.indexes.set(defaultName(table, ["B"], "index"), {
        table,
        kind: "index",
        columns: [col("B")],
        include: [],
        method: "btree",
        predicate: null,
      });
      for (const [c, m] of ends) {
        schema.foreignKeys.set(`${table}.${defaultName(table, [c], "fkey")}`, {
          table,
          columns: [c],
          refTable: tableOf(m),
          refColumns: [idOf(m).dbName ?? idOf(m).name],
          onDelete: "CASCADE",
          onUpdate: "CASCADE",
        });
      }
    }
  }
  return schema;
}

/** Prisma's operator class (`JsonbPathOps`, `Raw("...")`), compared without case and underscores. */
function operatorClass(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "object" && "Raw" in value) return String((value as { Raw: unknown }).Raw);
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------
// What the database has

/** `format_type()` output in the short spelling used on both sides. */
function normaliseType(formatted: string): string {
  let base = formatted.trim();
  let array = "";
  while (base.endsWith("[]")) {
    base = base.slice(0, -2);
    array += "[]";
  }
  for (const [pattern, short] of TYPE_SPELLINGS) {
    const m = pattern.exec(base);
    if (m) return short(m) + array;
  }
  return base.replace(/^public\./, "").replace(/^"(.*)"$/, "$1") + array;
}

const TYPE_SPELLINGS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^character varying(?:\((\d+)\))?$/, (m) => (m[1] ? `varchar(${m[1]})` : "varchar")],
  [/^(?:character|bpchar)(?:\((\d+)\))?$/, (m) => `char(${m[1] ?? "1"})`],
  [/^bit varying(?:\((\d+)\))?$/, (m) => (m[1] ? `varbit(${m[1]})` : "varbit")],
  [/^bit(?:\((\d+)\))?$/, (m) => `bit(${m[1] ?? "1"})`],
  // PostgreSQL's default precision is 6, which is what Prisma reads for TIMESTAMP without one.
  [/^(timestamp|time)(?:\((\d+)\))? (with|without) time zone$/, (m) => `${m[1]}${m[3] === "with" ? "tz" : ""}(${m[2] ?? "6"})`],
  [/^numeric(?:\((\d+),(\d+)\))?$/, (m) => (m[1] ? `numeric(${m[1]},${m[2]})` : "numeric")],
];

/** Strip one pair of parentheses around the whole expression. */
function stripParens(s: string): string {
  while (s.startsWith("(") && s.endsWith(")")) {
    let depth = 0;
    let whole = true;
    for (let i = 0; i < s.length; i++) {
      if (s[i] === "(") depth++;
      else if (s[i] === ")" && --depth === 0 && i < s.length - 1) {
        whole = false;
        break;
      }
    }
    if (!whole) break;
    s = s.slice(1, -1).trim();
  }
  return s;
}

const CAST = /::(?:"[^"]+"|[a-z_][a-z0-9_ .]*)(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*$/i;

/** A column default as PostgreSQL shows it (pg_get_expr) in a form comparable with `@default(...)`. */
function normaliseDefault(expr: string): string {
  let s = stripParens(expr.trim());
  if (/^nextval\(/i.test(s)) return "autoincrement()";
  if (/^(current_timestamp|now\(\)|transaction_timestamp\(\))$/i.test(s)) return "now()";
  // A quoted literal with casts: 'it''s'::text, '-1'::integer, 'active'::"Status", '{}'::jsonb.
  if (s.startsWith("'")) {
    let i = 1;
    let value = "";
    for (; i < s.length; i++) {
      if (s[i] === "'") {
        if (s[i + 1] === "'") {
          value += "'";
          i++;
          continue;
        }
        break;
      }
      value += s[i];
    }
    let rest = s.slice(i + 1).trim();
    while (rest && CAST.test(rest)) rest = rest.replace(CAST, "").trim();
    if (rest === "") return value;
  }
  while (CAST.test(s)) s = stripParens(s.replace(CAST, "").trim());
  const array = /^ARRAY\[(.*)\]$/is.exec(s);
  if (array) return `{${splitTopLevel(array[1]).map(normaliseDefault).join(",")}}`;
  if (/^(true|false)$/i.test(s)) return s.toLowerCase();
  return s;
}

function splitTopLevel(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = "";
  for (const c of list) {
    if (c === "'") quoted = !quoted;
    if (!quoted && (c === "(" || c === "[")) depth++;
    if (!quoted && (c === ")" || c === "]")) depth--;
    if (!quoted && depth === 0 && c === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const ACTIONS: Record<string, string> = { a: "NOACTION", r: "RESTRICT", c: "CASCADE", n: "SETNULL", d: "SETDEFAULT" };

async function liveSchema(databaseUrl: string): Promise<Schema> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Partitions (Move_pYYYYMM, AuditEvent_pYYYYMM, ...) are made by migrations and by the partition
    // maintenance job, not declared in schema.prisma: the partitioned parent is what the schema
    // describes, and its indexes and foreign keys are what Prisma sees.
    const notOurs = `n.nspname = 'public' AND t.relname <> '_prisma_migrations' AND NOT t.relispartition`;
    const tables = await client.query<{ table: string }>(
      `SELECT t.relname AS table FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE t.relkind IN ('r', 'p') AND ${notOurs}`,
    );
    const columns = await client.query<{
      table: string;
      column: string;
      type: string;
      notnull: boolean;
      default: string | null;
      identity: string;
      generated: string;
    }>(
      `SELECT t.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
              a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS default,
              a.attidentity::text AS identity, a.attgenerated::text AS generated
       FROM pg_attribute a
       JOIN pg_class t ON t.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE t.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND ${notOurs}`,
    );
    const indexes = await client.query<{
      table: string;
      name: string;
      unique: boolean;
      primary: boolean;
      method: string;
      predicate: string | null;
      nkey: number;
      columns: string[];
      options: number[];
      opclasses: string[];
      opclass_defaults: boolean[];
    }>(
      `SELECT t.relname AS table, i.relname AS name, x.indisunique AS unique, x.indisprimary AS primary,
              am.amname AS method, pg_get_expr(x.indpred, x.indrelid) AS predicate, x.indnkeyatts AS nkey,
              array(SELECT CASE WHEN k.attnum = 0 THEN '(' || pg_get_indexdef(x.indexrelid, k.ord::int, true) || ')'
                                ELSE (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = x.indrelid AND a.attnum = k.attnum) END
                    FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ORDER BY k.ord)::text[] AS columns,
              array(SELECT o FROM unnest(x.indoption::int2[]) WITH ORDINALITY AS u(o, ord) ORDER BY u.ord)::int[] AS options,
              array(SELECT oc.opcname FROM unnest(x.indclass::oid[]) WITH ORDINALITY AS u(c, ord)
                    JOIN pg_opclass oc ON oc.oid = u.c ORDER BY u.ord)::text[] AS opclasses,
              array(SELECT oc.opcdefault FROM unnest(x.indclass::oid[]) WITH ORDINALITY AS u(c, ord)
                    JOIN pg_opclass oc ON oc.oid = u.c ORDER BY u.ord)::boolean[] AS opclass_defaults
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
       WHERE t.relkind IN ('r', 'p') AND ${notOurs}`,
    );
    const foreignKeys = await client.query<{
      table: string;
      name: string;
      ref_table: string;
      columns: string[];
      ref_columns: string[];
      on_delete: string;
      on_update: string;
    }>(
      `SELECT t.relname AS table, c.conname AS name, r.relname AS ref_table,
              array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
              array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS ref_columns,
              c.confdeltype::text AS on_delete, c.confupdtype::text AS on_update
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_class r ON r.oid = c.confrelid
       WHERE c.contype = 'f' AND ${notOurs}`,
    );
    const enums = await client.query<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, array(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE t.typtype = 'e' AND n.nspname = 'public'`,
    );

    const schema: Schema = { tables: new Map(), indexes: new Map(), foreignKeys: new Map(), enums: new Map() };
    for (const t of tables.rows) schema.tables.set(t.table, new Map());
    for (const c of columns.rows) {
      let def = c.default === null ? null : normaliseDefault(c.default);
      if (c.identity) def = "autoincrement()";
      if (c.generated) def = `generated always as ${c.default}`;
      schema.tables.get(c.table)?.set(c.column, { type: normaliseType(c.type), nullable: !c.notnull, default: def });
    }
    for (const i of indexes.rows) {
      schema.indexes.set(i.name, {
        table: i.table,
        kind: i.primary ? "primary key" : i.unique ? "unique index" : "index",
        columns: i.columns.slice(0, i.nkey).map((name, k) => {
          const desc = (i.options[k] & 1) !== 0;
          const nullsFirst = (i.options[k] & 2) !== 0;
          return {
            name,
            desc,
            opclass: i.opclasses[k] ?? null,
            opclassIsDefault: i.opclass_defaults[k] ?? true,
            nulls: nullsFirst === desc ? null : nullsFirst ? "NULLS FIRST" : "NULLS LAST",
          };
        }),
        include: i.columns.slice(i.nkey),
        method: i.method,
        predicate: i.predicate,
      });
    }
    for (const f of foreignKeys.rows) {
      schema.foreignKeys.set(`${f.table}.${f.name}`, {
        table: f.table,
        columns: f.columns,
        refTable: f.ref_table,
        refColumns: f.ref_columns,
        onDelete: ACTIONS[f.on_delete] ?? f.on_delete,
        onUpdate: ACTIONS[f.on_update] ?? f.on_update,
      });
    }
    for (const e of enums.rows) schema.enums.set(e.name, e.labels);
    return schema;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------
// The comparison

const q = (name: string): string => `"${name}"`;
const action = (a: string): string => a.replace(/^NO/, "NO ").replace(/^SET/, "SET ");

function describeIndex(i: Index): string {
  const cols = i.columns.map((c) => {
    let s = c.name.startsWith("(") ? c.name : q(c.name);
    if (c.opclass && !c.opclassIsDefault) s += ` ${c.opclass}`;
    if (c.desc) s += " DESC";
    if (c.nulls) s += ` ${c.nulls}`;
    return s;
  });
  let s = `${i.kind.toUpperCase()} ON ${q(i.table)} USING ${i.method} (${cols.join(", ")})`;
  if (i.include.length) s += ` INCLUDE (${i.include.map(q).join(", ")})`;
  if (i.predicate) s += ` WHERE ${i.predicate}`;
  return s;
}

function sameIndex(expected: Index, live: Index): boolean {
  if (expected.table !== live.table || expected.kind !== live.kind || expected.method !== live.method) return false;
  if (expected.predicate !== live.predicate || expected.include.join() !== live.include.join()) return false;
  if (expected.columns.length !== live.columns.length) return false;
  return expected.columns.every((e, k) => {
    const l = live.columns[k];
    if (e.name !== l.name || e.desc !== l.desc || l.nulls !== null) return false;
    const squash = (s: string): string => s.replace(/_/g, "").toLowerCase();
    return e.opclass === null ? l.opclassIsDefault : squash(e.opclass) === squash(l.opclass ?? "");
  });
}

function describeForeignKey(f: ForeignKey): string {
  return `FOREIGN KEY (${f.columns.map(q).join(", ")}) REFERENCES ${q(f.refTable)}(${f.refColumns.map(q).join(", ")}) ON DELETE ${action(f.onDelete)} ON UPDATE ${action(f.onUpdate)}`;
}

function describeDefault(d: string | null): string {
  return d === null ? "no default" : `default ${d}`;
}

/**
 * Differences between the live database at `databaseUrl` (schema public, apart
 * from `_prisma_migrations`) and what the Prisma schema at `schemaPath` (a file,
 * or a folder of .prisma files) declares. Empty when they match.
 */
export async function schemaDrift(databaseUrl: string, schemaPath: string): Promise<string[]> {
  const { datamodel, files } = parsePrismaSchema(schemaPath);
  const want = expectedSchema(datamodel, files);
  const have = await liveSchema(databaseUrl);
  const out: string[] = [];
  const SCHEMA = "schema.prisma";

  for (const [name, labels] of want.enums) {
    const live = have.enums.get(name);
    if (!live) out.push(`enum ${q(name)}: missing in the database (${SCHEMA} declares ${labels.join(", ")})`);
    else if (live.join() !== labels.join())
      out.push(`enum ${q(name)}: database has values ${live.join(", ")}, ${SCHEMA} declares ${labels.join(", ")}`);
  }
  for (const name of have.enums.keys())
    if (!want.enums.has(name)) out.push(`enum ${q(name)}: in the database but not in ${SCHEMA}`);

  for (const [table, columns] of want.tables) {
    const live = have.tables.get(table);
    if (!live) {
      out.push(`table ${q(table)}: missing in the database`);
      continue;
    }
    for (const [name, c] of columns) {
      const l = live.get(name);
      const where = `column ${q(table)}.${q(name)}`;
      if (!l) {
        out.push(`${where}: missing in the database (${SCHEMA} declares ${c.type}${c.nullable === false ? " NOT NULL" : ""})`);
        continue;
      }
      if (l.type !== c.type) out.push(`${where}: type is ${l.type} in the database, ${SCHEMA} declares ${c.type}`);
      if (c.nullable !== null && l.nullable !== c.nullable)
        out.push(
          `${where}: ${l.nullable ? "nullable" : "NOT NULL"} in the database, ${SCHEMA} declares ${c.nullable ? "nullable" : "NOT NULL"}`,
        );
      const defaultsMatch = c.default === ANY_DEFAULT ? l.default !== null : l.default === c.default;
      if (!defaultsMatch)
        out.push(`${where}: ${describeDefault(l.default)} in the database, ${SCHEMA} declares ${describeDefault(c.default)}`);
    }
    for (const [name, l] of live)
      if (!columns.has(name)) out.push(`column ${q(table)}.${q(name)}: in the database (${l.type}) but not in ${SCHEMA}`);
  }
  for (const table of have.tables.keys())
    if (!want.tables.has(table)) out.push(`table ${q(table)}: in the database but not in ${SCHEMA}`);

  for (const [name, i] of want.indexes) {
    const l = have.indexes.get(name);
    if (!l) {
      out.push(`${i.kind} ${q(name)}: missing in the database (${SCHEMA} declares ${describeIndex(i)})`);
    } else if (!sameIndex(i, l)) {
      out.push(`${i.kind} ${q(name)}: database has ${describeIndex(l)}, ${SCHEMA} declares ${describeIndex(i)}`);
    }
  }
  for (const [name, l] of have.indexes)
    if (!want.indexes.has(name)) out.push(`${l.kind} ${q(name)}: in the database (${describeIndex(l)}) but not in ${SCHEMA}`);

  for (const [key, f] of want.foreignKeys) {
    const name = key.slice(f.table.length + 1);
    const where = `foreign key ${q(name)} on ${q(f.table)}`;
    const l = have.foreignKeys.get(key);
    if (!l) out.push(`${where}: missing in the database (${SCHEMA} declares ${describeForeignKey(f)})`);
    else if (describeForeignKey(l) !== describeForeignKey(f))
      out.push(`${where}: database has ${describeForeignKey(l)}, ${SCHEMA} declares ${describeForeignKey(f)}`);
  }
  for (const [key, l] of have.foreignKeys)
    if (!want.foreignKeys.has(key))
      out.push(
        `foreign key ${q(key.slice(l.table.length + 1))} on ${q(l.table)}: in the database (${describeForeignKey(l)}) but not in ${SCHEMA}`,
      );

  return out;
}
