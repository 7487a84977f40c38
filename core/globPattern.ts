// A file glob as DuckDB expands it, as a regular expression: `*` and `?` within a path segment, `**` across segments,
// `[...]` a set of characters (`[!...]` its complement). One reading for every place that matches a glob itself:
// s3:// listings (data/s3InputFiles.ts) and an output path an input glob would take back in (client/outputPaths.ts).

export function globPattern(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\/\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
