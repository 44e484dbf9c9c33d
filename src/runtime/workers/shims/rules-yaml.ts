/**
 * Stands in for src/config/rules/yaml.ts in the Workers bundle (wrangler.toml `[alias]`): the
 * YAML parser is ≈ 30 KiB gzip of the 250 KiB budget. The Worker reads RULES as JSON
 * (src/config/rules/json.ts); YAML text gets a problem that says how to convert it.
 */
import type { YamlSource } from '../../../config/rules/yaml.js';

/** Refuses YAML: `colt-relay rules compile` turns a rules file into the JSON the Worker reads. */
export function readYaml(_text: string): YamlSource {
  const message =
    'rules are YAML, but the Worker reads them as JSON (its bundle has no YAML parser): ' +
    'run `colt-relay rules compile rules.yaml` and set RULES to its output';
  return { value: undefined, problems: [{ path: [], message }], locate: () => undefined };
}
