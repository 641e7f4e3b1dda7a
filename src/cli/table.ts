/** An aligned text table; `paint` colours a cell after its width is measured, so escapes never skew columns. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], paint: (cell: string, column: number) => string = (c) => c): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], colour: boolean) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0);
        return colour ? padded.replace(cell, paint(cell, i)) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(headers, false), ...rows.map((r) => line(r, true))].join('\n') + '\n';
}

const ANSI: Record<string, string> = { red: '31', yellow: '33', green: '32', magenta: '35', dim: '2' };

export function colour(enabled: boolean, name: keyof typeof ANSI, text: string): string {
  return enabled ? `\u001b[${ANSI[name]}m${text}\u001b[0m` : text;
}
