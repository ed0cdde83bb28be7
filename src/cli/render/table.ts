/** Rows of `key  value`, the keys padded to one width. */
export function table(rows: Array<[string, string]>, indent = '  '): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${indent}${key.padEnd(width)}  ${value}\n`).join('');
}
