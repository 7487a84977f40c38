// A file glob as DuckDB expands it, as a regular expression: `*` and `?` within a path segment; `**` as a whole
// segment any number of folders, none included (`t/**/*.csv` takes `t/a.csv` too), and at the end every file below;
// `**` inside a segment (`t/**.csv`) is one `*`, as DuckDB reads it; `[...]` a set of characters (`[!...]` its complement). One reading for every place that matches a glob itself:
// s3:// listings (data/s3InputFiles.ts) and an output path an input glob would take back in (client/outputPaths.ts).

export function globPattern(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const segmentStart = i === 0 || glob[i - 1] === '/';
      if (segmentStart && glob[i + 2] === '/') {
        source += '(?:[^/]+/)*';
        i += 2;
      } else {
        source += segmentStart && i + 2 === glob.length ? '.*' : '[^/]*';
        i++;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        // DuckDB reads `^` in a set as itself; only `!` negates.
        source += `[${glob
          .slice(i + 1, end)
          .replace(/\\/g, '\\\\')
          .replace(/^\^/, '\\^')
          .replace(/^!/, '^')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\/\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
