/**
 * Terraform's templatefile for what the generated view templates use: `${name}`
 * placeholders, `$${` and `%%{` escapes. Anything else (an unknown variable, a
 * `%{` directive) fails as templatefile would, so a test cannot pass on a
 * template Terraform would reject.
 */
export function renderTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  let out = '';
  for (let i = 0; i < template.length; ) {
    if (template.startsWith('$${', i) || template.startsWith('%%{', i)) {
      out += template.slice(i + 1, i + 3);
      i += 3;
    } else if (template.startsWith('${', i)) {
      const end = template.indexOf('}', i);
      const name = template.slice(i + 2, end).trim();
      if (end === -1 || !Object.hasOwn(vars, name))
        throw new Error(`template: vars map does not contain key "${name}"`);
      out += vars[name];
      i = end + 1;
    } else if (template.startsWith('%{', i)) {
      throw new Error(`template: a %{ directive at ${i} (escape it as %%{)`);
    } else {
      out += template[i];
      i++;
    }
  }
  return out;
}
