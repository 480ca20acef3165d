/**
 * SQL as values: a fragment carries its text and its own parameters, so composing fragments can
 * never splice a runtime value into SQL text. Values reach ClickHouse only as `{name:Type}`
 * parameters; the only way to put raw text in is `unsafeRaw`, named so that it stands out in review.
 */
export type ChType =
  | 'String'
  | 'Array(String)'
  | 'Array(Int64)'
  | 'UInt8'
  | 'UInt32'
  | 'UInt64'
  | 'Int64'
  | 'Float64'
  | "DateTime64(3, 'UTC')";

export class Param {
  constructor(
    readonly type: ChType,
    readonly value: unknown,
  ) {}
}

export type SqlValue = Sql | Param;

export class Sql {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly SqlValue[],
  ) {}
}

export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): Sql {
  return new Sql([...strings], values);
}

/** Raw SQL text. Only for identifiers and keywords taken from closed TypeScript unions. */
export function unsafeRaw(text: string): Sql {
  return new Sql([text], []);
}

export const empty: Sql = new Sql([''], []);

export function join(items: readonly Sql[], separator: string): Sql {
  if (items.length === 0) return empty;
  const strings: string[] = [''];
  const values: SqlValue[] = [];
  items.forEach((item, i) => {
    if (i > 0) strings[strings.length - 1] += separator;
    values.push(item);
    strings.push('');
  });
  return new Sql(strings, values);
}

/** Formats epoch ms the way ClickHouse parses DateTime64(3) text. */
export function chTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export const p = {
  str: (v: string) => new Param('String', v),
  strs: (v: readonly string[]) => new Param('Array(String)', [...v]),
  u8: (v: boolean | number) => new Param('UInt8', typeof v === 'boolean' ? Number(v) : v),
  u32: (v: number) => new Param('UInt32', v),
  u64: (v: number) => new Param('UInt64', v),
  i64: (v: number) => new Param('Int64', v),
  i64s: (v: readonly number[]) => new Param('Array(Int64)', [...v]),
  f64: (v: number) => new Param('Float64', v),
  time: (ms: number) => new Param("DateTime64(3, 'UTC')", chTime(ms)),
};

export interface Rendered {
  query: string;
  query_params: Record<string, unknown>;
}

export function render(root: Sql): Rendered {
  const params: Record<string, unknown> = {};
  let n = 0;
  const walk = (s: Sql): string => {
    let out = s.strings[0] ?? '';
    s.values.forEach((v, i) => {
      if (v instanceof Sql) out += walk(v);
      else {
        const name = `p${n++}`;
        params[name] = v.value;
        out += `{${name}:${v.type}}`;
      }
      out += s.strings[i + 1] ?? '';
    });
    return out;
  };
  return { query: walk(root), query_params: params };
}
