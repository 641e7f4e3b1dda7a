/** A labelled select with an "any" first option, for filter bars. */
export function SelectFilter({ label, value, options, any = 'all', onChange }: { label: string; value: string; options: readonly string[]; any?: string; onChange: (value: string) => void }) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </label>
  );
}

/** A table header row; an empty name is a column for row actions, named for screen readers only. */
export function TableHead({ columns, numeric = [] }: { columns: readonly string[]; numeric?: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c || 'actions'} scope="col" className={numeric.includes(c) ? 'num' : undefined}>
            {c || <span className="visually-hidden">Actions</span>}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** The one row of an empty table, saying why it is empty. */
export function EmptyRow({ columns, children }: { columns: number; children: string }) {
  return (
    <tr>
      <td colSpan={columns} className="muted">
        {children}
      </td>
    </tr>
  );
}
