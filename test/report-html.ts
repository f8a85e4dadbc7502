// Parse-level checks of the self-contained HTML reports, shared by the report tests.

/** Every start tag that is not void must be closed, in order: a parse-level well-formedness check. */
export function unbalancedTags(html: string): string[] {
  const voids = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'rect', 'line']);
  const stack: string[] = [];
  const problems: string[] = [];
  const body = html.replace(/<script type="application\/json"[^>]*>[\s\S]*?<\/script>/, '');
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, rawName, , selfClosing] = match;
    const name = (rawName ?? '').toLowerCase();
    if (selfClosing === '/' || voids.has(name)) continue;
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${String(open)}>`);
    } else stack.push(name);
  }
  return [...problems, ...stack.map((name) => `<${name}> never closed`)];
}

/** The JSON data embedded in a report page. */
export function embeddedData(html: string): unknown {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (match === null) throw new Error('no embedded data');
  return JSON.parse(match[1] ?? '') as unknown;
}
