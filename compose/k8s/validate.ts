/**
 * Offline schema validation for compose/k8s and compose/docker-compose.yml (used by the tests).
 *
 * - Kubernetes' own kinds: `kubernetes-models` (its JSON schemas, generated from Kubernetes'
 *   OpenAPI, checked by `@kubernetes-models/validate`). Those schemas leave objects open, so an
 *   unknown field is not reported here; the contract tests read every field that matters by name.
 * - Operator kinds (CloudNativePG, its Barman Cloud plugin, the Prometheus operator): the
 *   openAPIV3Schema of each CRD, vendored in schemas/ (see schemas/README.md), checked with ajv.
 *   Every object that lists its properties is closed (additionalProperties: false) unless the CRD
 *   says x-kubernetes-preserve-unknown-fields, which is what the API server's strict field
 *   validation (kubectl's default) does with an unknown field: refuse it. CEL rules
 *   (x-kubernetes-validations) are not evaluated; Go's `(?i)` in patterns is honoured.
 * - docker-compose.yml: the Compose specification's JSON schema (schemas/compose-spec.json).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { formats } from "@kubernetes-models/validate";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

const SCHEMAS = new URL("./schemas/", import.meta.url);

/** The operator kinds we use: `<apiVersion>/<kind>` → vendored schema file. */
export const CRD_SCHEMAS: Record<string, string> = {
  "postgresql.cnpg.io/v1/Cluster": "cnpg-1.30.0-cluster.json",
  "postgresql.cnpg.io/v1/ScheduledBackup": "cnpg-1.30.0-scheduledbackup.json",
  "barmancloud.cnpg.io/v1/ObjectStore": "barman-cloud-0.14.0-objectstore.json",
  "monitoring.coreos.com/v1/ServiceMonitor": "prometheus-operator-0.93.0-servicemonitor.json",
  "monitoring.coreos.com/v1/PrometheusRule": "prometheus-operator-0.93.0-prometheusrule.json",
};

/**
 * CRD patterns are Go regular expressions; the one Go feature they use that JavaScript lacks is a
 * leading case-insensitivity flag, `(?i)`, which becomes the `i` flag here.
 */
const goRegExp = Object.assign(
  (pattern: string, flags: string) => {
    const m = /^(\^?)\(\?i\)/.exec(pattern);
    return m ? new RegExp(m[1] + pattern.slice(m[0].length), `${flags}i`) : new RegExp(pattern, flags);
  },
  { code: "goRegExp" },
);

// Kubernetes' formats (date-time, int32, quantity, …), as kubernetes-models checks them.
const ajv = new Ajv({ allErrors: true, strict: false, formats, code: { regExp: goRegExp } });
const compiled = new Map<string, ValidateFunction>();

/** Close every object schema that lists its properties, as the API server's strict field validation does. */
function closeObjects(schema: any): any {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== "object") return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === "enum" || k === "default" ? v : closeObjects(v);
  if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
    out.additionalProperties = false;
  }
  return out;
}

function crdValidator(key: string): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    const file = JSON.parse(readFileSync(new URL(CRD_SCHEMAS[key], SCHEMAS), "utf8"));
    v = ajv.compile(closeObjects(file.schema));
    compiled.set(key, v);
  }
  return v;
}

const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);

/**
 * Validate one manifest against its kind's schema. Returns the problems (empty: valid). A kind with
 * no schema here (neither a Kubernetes kind nor a vendored CRD) is a problem too.
 */
export async function validateManifest(object: { apiVersion?: unknown; kind?: unknown }): Promise<string[]> {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return ["apiVersion and kind must be strings"];
  const key = `${apiVersion}/${kind}`;
  if (CRD_SCHEMAS[key]) {
    const v = crdValidator(key);
    return v(object) ? [] : describe(v.errors);
  }
  let Model: new (data: unknown) => { validate(): void };
  try {
    Model = (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
  } catch {
    return [`no schema for ${key} (neither a Kubernetes kind nor a vendored CRD)`];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

let composeValidator: ValidateFunction | undefined;

/** compose-spec.json names draft-07 by its https address; ajv knows the meta-schema by its http one. */
function addDraft07Https(): void {
  const meta = createRequire(import.meta.url)("ajv/dist/refs/json-schema-draft-07.json");
  ajv.addMetaSchema({ ...meta, $id: "https://json-schema.org/draft-07/schema" });
}

/** Validate a parsed (anchors and merge keys resolved) Compose file against the Compose specification. */
export function validateCompose(doc: unknown): string[] {
  if (!composeValidator) addDraft07Https();
  composeValidator ??= ajv.compile(JSON.parse(readFileSync(new URL("compose-spec.json", SCHEMAS), "utf8")));
  return composeValidator(doc) ? [] : describe(composeValidator.errors);
}
