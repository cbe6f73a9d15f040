type Child = Node | string | number | null | undefined | false;

/** Creates an element; attributes starting with `on` are listeners, `dataset` fills data-*. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, unknown> | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value as EventListener);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export interface Column<Row> {
  key: string;
  label: string;
  value: (row: Row) => number | string | null | undefined;
  format?: (value: never) => string;
  href?: (row: Row) => string;
}

/**
 * The numbers behind a chart as a table (what a screen reader, a tablet without hover, or a test
 * reads): each cell shows the formatted value and keeps the API's raw value in `data-value`.
 */
export function numbersTable<Row>(id: string, columns: Column<Row>[], rows: Row[]): HTMLTableElement {
  return h(
    'table',
    { class: 'numbers', 'data-testid': `table-${id}` },
    h('thead', null, h('tr', null, ...columns.map((column) => h('th', { scope: 'col' }, column.label)))),
    h(
      'tbody',
      null,
      ...rows.map((row) =>
        h(
          'tr',
          null,
          ...columns.map((column) => {
            const value = column.value(row);
            const text = value == null ? '–' : column.format ? column.format(value as never) : String(value);
            const content = column.href ? h('a', { href: column.href(row) }, text) : text;
            return h('td', { 'data-field': column.key, 'data-value': value == null ? '' : String(value) }, content);
          }),
        ),
      ),
    ),
  );
}

export function message(kind: 'loading' | 'empty' | 'error', text: string): HTMLElement {
  return h('p', { class: `state ${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-state': kind }, text);
}
