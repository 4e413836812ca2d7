/**
 * A fixture uv.lock (fixture-lock.ts) whose project puts some packages in
 * dependency groups and extras instead of its plain dependencies, so that
 * `--no-dev`, `--group`, `--extra` change what is collected:
 *
 *   withGroupsAndExtras(fixtureUvLock(artifacts, { base }), { groups: { dev: ['devtool'] }, extras: { cli: ['clitool'] } })
 */
export interface GroupsAndExtras {
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  readonly extras?: Readonly<Record<string, readonly string[]>>;
}

export function withGroupsAndExtras(lockText: string, tables: GroupsAndExtras): string {
  let text = lockText;
  const block = (table: string, entries: Readonly<Record<string, readonly string[]>> | undefined): string => {
    if (!entries) return '';
    const lists = Object.entries(entries).map(([key, names]) => `${key} = [\n${names.map((name) => `    { name = "${name}" },\n`).join('')}]\n`);
    return `[package.${table}]\n${lists.join('')}\n`;
  };
  for (const names of [...Object.values(tables.groups ?? {}), ...Object.values(tables.extras ?? {})]) {
    for (const name of names) {
      const edge = `    { name = "${name}" },\n`;
      if (!text.includes(edge)) throw new Error(`the project does not depend on ${name}`);
      text = text.replace(edge, '');
    }
  }
  // The project's own table comes first in the fixture (a virtual project at "."), with its [package.metadata].
  return text.replace('[package.metadata]', `${block('optional-dependencies', tables.extras)}${block('dev-dependencies', tables.groups)}[package.metadata]`);
}
