/**
 * A small strict parser of the Prometheus text exposition format 0.0.4, for tests: every line is a `# HELP`, a
 * `# TYPE` or a sample of the family the last `# TYPE` declared; label values unescaped (`\\`, `\"`, `\n`, nothing
 * else); no series twice; histogram buckets cumulative, ending with `+Inf` equal to `_count`. Throws on anything
 * else.
 */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

export interface ParsedFamily {
  readonly name: string;
  help: string;
  type: string;
  readonly samples: ParsedSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

export function parsePrometheus(text: string): Map<string, ParsedFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the text must end with a newline');
  const families = new Map<string, ParsedFamily>();
  let current = null as ParsedFamily | null;
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}: ${line}`;
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (help !== null) {
      const name = help[1] ?? '';
      if (families.has(name)) throw new Error(`${where}: HELP of a family seen before`);
      current = { name, help: help[2] ?? '', type: '', samples: [] };
      families.set(name, current);
      continue;
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type !== null) {
      if (current === null || current.name !== type[1] || current.type !== '') {
        throw new Error(`${where}: TYPE without its HELP`);
      }
      current.type = type[2] ?? '';
      continue;
    }
    if (line.startsWith('#') || line === '') throw new Error(`${where}: unexpected line`);
    if (current === null || current.type === '') throw new Error(`${where}: a sample before any TYPE`);
    current.samples.push(parseSample(line, current, where));
  }
  for (const family of families.values()) {
    // One series per label set, as Prometheus requires (it refuses a scrape with a duplicate).
    const seen = new Set<string>();
    for (const sample of family.samples) {
      const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
      if (seen.has(key)) throw new Error(`${family.name}: series ${key} written twice`);
      seen.add(key);
    }
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

function parseSample(line: string, family: ParsedFamily, where: string): ParsedSample {
  const name = NAME.exec(line)?.[0];
  if (name === undefined) throw new Error(`${where}: no metric name`);
  const suffixes = family.type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
  if (!suffixes.some((s) => name === family.name + s))
    throw new Error(`${where}: not of family ${family.name}`);
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const label = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(at))?.[0];
      if (label === undefined || line.slice(at + label.length, at + label.length + 2) !== '="') {
        throw new Error(`${where}: bad label at ${at}`);
      }
      at += label.length + 2;
      let value = '';
      for (;;) {
        const c = line[at];
        if (c === undefined) throw new Error(`${where}: unterminated label value`);
        if (c === '"') break;
        if (c === '\\') {
          const next = line[at + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else throw new Error(`${where}: bad escape \\${next ?? ''}`);
          at += 2;
        } else {
          value += c;
          at++;
        }
      }
      at++;
      if (label in labels) throw new Error(`${where}: label ${label} twice`);
      labels[label] = value;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') throw new Error(`${where}: expected , or }`);
    }
    at++;
  }
  const rest = line.slice(at);
  const value = /^ (NaN|[+-]Inf|-?[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?)$/.exec(rest)?.[1];
  if (value === undefined) throw new Error(`${where}: bad value`);
  return {
    name,
    labels,
    value: value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value),
  };
}

function checkHistogram(family: ParsedFamily): void {
  const series = new Map<string, ParsedSample[]>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(rest);
    if (sample.name.endsWith('_bucket') && le === undefined)
      throw new Error(`${family.name}: bucket without le`);
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const samples of series.values()) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
    let last = -Infinity;
    let previous = 0;
    for (const bucket of buckets) {
      const le = bucket.labels.le === '+Inf' ? Infinity : Number(bucket.labels.le);
      if (!(le > last)) throw new Error(`${family.name}: le not ascending`);
      if (bucket.value < previous) throw new Error(`${family.name}: buckets not cumulative`);
      last = le;
      previous = bucket.value;
    }
    if (last !== Infinity) throw new Error(`${family.name}: no +Inf bucket`);
    const count = samples.find((s) => s.name.endsWith('_count'));
    if (count?.value !== previous) throw new Error(`${family.name}: +Inf bucket differs from _count`);
    if (samples.find((s) => s.name.endsWith('_sum')) === undefined)
      throw new Error(`${family.name}: no _sum`);
  }
}
